#!/usr/bin/env node
'use strict';

// Prints "<status>\t<file>: <test>" for every test in a Jest --json report,
// and a failed line for a test file that could not run at all.
// Usage: node scripts/jest-summary.js REPORT.json

const path = require('node:path');

const report = require(path.resolve(process.argv[2]));
for (const file of report.testResults) {
  const name = path.relative(process.cwd(), file.name);
  if (file.assertionResults.length === 0) {
    const first = (file.message || 'did not run').split('\n').find((l) => l.trim()) ?? 'did not run';
    console.log(`failed\t${name}: ${first.trim()}`);
  }
  for (const t of file.assertionResults) console.log(`${t.status}\t${name}: ${t.fullName}`);
}
