'use strict';

const { createLogger } = require('../src/logger');

// A logger that keeps its JSON lines in memory, so tests can read them.
function memoryLogger(level = 'debug') {
  const lines = [];
  const stream = { write: (line) => lines.push(JSON.parse(line)) };
  return { logger: createLogger({ level, stream }), lines };
}

module.exports = { memoryLogger };
