#!/usr/bin/env node
// `npm run bench [-- --full]`: compiles test/bench (its own tsconfig, into test/bench/dist)
// after `npm run build` has built the apps and libs, then runs every scenario.
require('./compile');
require('./dist/run.js');
