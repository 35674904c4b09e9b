'use strict';

const fs = require('node:fs');

module.exports = async function globalTeardown() {
  if (globalThis.__idpGitlabfakeDir) fs.rmSync(globalThis.__idpGitlabfakeDir, { recursive: true, force: true });
};
