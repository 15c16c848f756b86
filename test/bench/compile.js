// Compiles test/bench (its own tsconfig, into test/bench/dist), after `npm run build` has built
// the apps and libs: required first by every script here that loads the bench's compiled support.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(__dirname, 'tsconfig.json')], { stdio: 'inherit' });
