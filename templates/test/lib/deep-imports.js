'use strict';

// Internal modules of @backstage/plugin-scaffolder-backend that its package
// "exports" map hides. They move between releases: package.json pins the
// version exactly, and this file is the one place that knows their paths.
const path = require('node:path');

const root = path.dirname(require.resolve('@backstage/plugin-scaffolder-backend/package.json'));
const version = require('@backstage/plugin-scaffolder-backend/package.json').version;
const EXPECTED = '4.3.0';
if (version !== EXPECTED) {
  throw new Error(`deep imports were written for plugin-scaffolder-backend ${EXPECTED}, found ${version}: check the paths below`);
}

const { NunjucksWorkflowRunner } = require(path.join(root, 'dist/scaffolder/tasks/NunjucksWorkflowRunner.cjs.js'));

module.exports = { NunjucksWorkflowRunner };
