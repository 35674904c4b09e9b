'use strict';

// Builds the shared GitLab fake once per test run; each test file starts its
// own process of it (src/integration/fake.ts), so their states never meet.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  // Tests run from the source tree, never from a production build.
  // eslint-disable-next-line no-restricted-syntax
  const repoRoot = path.resolve(__dirname, '../../../..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-gitlabfake-'));
  const bin = path.join(dir, 'gitlabfake');
  execFileSync('go', ['build', '-o', bin, './internal/gitlabfake/cmd/gitlabfake'], { cwd: repoRoot, stdio: 'inherit' });
  process.env.IDP_GITLABFAKE_BIN = bin;
  globalThis.__idpGitlabfakeDir = dir;
};
