#!/usr/bin/env node
// `npm run bench [-- --full]`: compiles test/bench (its own tsconfig, into test/bench/dist)
// after `npm run build` has built the apps and libs, then runs every scenario.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(__dirname, 'tsconfig.json')], { stdio: 'inherit' });
require('./dist/run.js');
