'use strict';

// A tiny structured logger: one JSON object per line on stdout, which is what
// the cluster's log collector parses. No dependency, so nothing to patch.
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 };

function createLogger({ level = 'info', stream = process.stdout, base = {} } = {}) {
  const threshold = LEVELS[level] ?? LEVELS.info;

  function write(lvl, msg, fields) {
    if (LEVELS[lvl] < threshold) return;
    const entry = { time: new Date().toISOString(), level: lvl, msg, ...base, ...fields };
    if (fields && fields.err instanceof Error) {
      entry.err = { message: fields.err.message, stack: fields.err.stack };
    }
    stream.write(`${JSON.stringify(entry)}\n`);
  }

  const logger = {};
  for (const lvl of Object.keys(LEVELS)) {
    logger[lvl] = (msg, fields = {}) => write(lvl, msg, fields);
  }
  return logger;
}

module.exports = { createLogger };
