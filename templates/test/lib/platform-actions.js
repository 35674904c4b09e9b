'use strict';

// The platform's own scaffolder module (templates/scaffolder-actions), as its
// build leaves it (dist/, made by hack/test-templates.sh), with the services
// its backend module would inject. IDP_SCAFFOLDER_ACTIONS names another build.
const path = require('node:path');

const BUILT = process.env.IDP_SCAFFOLDER_ACTIONS ?? path.resolve(__dirname, '../../scaffolder-actions/dist/index.cjs.js');

function createPlatformActions({ config, integrations, catalog, auth }) {
  const idp = require(BUILT);
  return [
    idp.createPlatformAction({ config }),
    idp.createCheckNameAction({ config, integrations, catalog, auth }),
    idp.createPublishAction({ config, integrations }),
  ];
}

module.exports = { createPlatformActions };
