#!/usr/bin/env node
// The browser end-to-end test drives Debian's Chromium (the npm registry's browser
// downloads are not reachable here). On a machine without it, install it from
// Debian's packages when we may (root), or say exactly what to run.
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');

const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);
if (process.getuid && process.getuid() !== 0) {
  console.error(`${path} is missing: run \`sudo apt-get install -y chromium\` (the browser test needs it), or set CHROMIUM_PATH`);
  process.exit(1);
}
console.log('installing Debian\'s chromium for the browser test ...');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const install = () => execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
try {
  install();
} catch {
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  install();
}
