'use strict';

const fs = require('node:fs');
const YAML = require('yaml');

// One document per file, aliases resolved, as the catalog reads entities.
function readYaml(file) {
  return YAML.parse(fs.readFileSync(file, 'utf8'));
}

module.exports = { readYaml };
