'use strict';

// The platform's own scaffolder module (templates/scaffolder-actions), as its
// build leaves it. IDP_SCAFFOLDER_ACTIONS names another build.
const fs = require('node:fs');
const path = require('node:path');

const BUILT = process.env.IDP_SCAFFOLDER_ACTIONS ?? path.resolve(__dirname, '../../scaffolder-actions/dist/index.cjs.js');

function createPlatformActions(deps) {
  if (!fs.existsSync(BUILT)) return [];
  return require(BUILT).createIdpActions(deps);
}

module.exports = { createPlatformActions };
