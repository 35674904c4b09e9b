#!/usr/bin/env node
'use strict';

// Writes a copy of a Backstage app-config with edits applied, for the
// mutations hack/check-backstage-config.sh expects Backstage's check to
// refuse. Comments and layout of the rest of the file are kept.
//
// Usage: node mutate.js IN OUT EDIT...
//   set:PATH=JSON   write the JSON value at PATH (dotted; a number is a list index)
//   delete:PATH     remove the key at PATH
//   rename:PATH=KEY rename the last key of PATH to KEY, keeping its value

const fs = require('node:fs');
const YAML = require('yaml');

const [input, output, ...edits] = process.argv.slice(2);
if (!input || !output || edits.length === 0) {
  console.error('usage: node mutate.js IN OUT EDIT...');
  process.exit(2);
}
const doc = YAML.parseDocument(fs.readFileSync(input, 'utf8'));

const steps = (path) => path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));

for (const edit of edits) {
  const [op, rest] = edit.split(/:(.*)/s);
  const [path, arg] = rest.split(/=(.*)/s);
  const at = steps(path);
  if (!doc.hasIn(at) && op !== 'set') throw new Error(`${input} has no ${path}`);
  switch (op) {
    case 'set':
      doc.setIn(at, JSON.parse(arg));
      break;
    case 'delete':
      doc.deleteIn(at);
      break;
    case 'rename': {
      const value = doc.getIn(at, true);
      doc.deleteIn(at);
      doc.setIn([...at.slice(0, -1), arg], value);
      break;
    }
    default:
      throw new Error(`unknown edit ${edit}`);
  }
}
fs.writeFileSync(output, doc.toString());
