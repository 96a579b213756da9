#!/usr/bin/env node
// `npm run bench -- <name>`: builds the workspace, then runs bench/<name>.js. Every bench prints its
// figures beside a baseline measured in the same run and ends with one line of JSON.
'use strict';
const { execSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const name = process.argv[2];
const available = fs.readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== 'run.js').map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>   (one of: ${available.join(', ') || 'none yet'})`);
  process.exit(2);
}
execSync('npx tsc -b core chaincode gateway-api cli', { cwd: path.join(__dirname, '..'), stdio: 'inherit' });
Promise.resolve(require(path.join(__dirname, `${name}.js`)).run(process.argv.slice(3))).then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
