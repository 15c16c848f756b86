#!/usr/bin/env node
// The registry this project is built against serves only the linux builds of
// native packages, so `npm install` leaves other platforms' optional builds
// (@swc/core-darwin-arm64, ...) out of package-lock.json, and `npm ci` then
// refuses the lockfile ("Missing: <name>@ from lock file"). This adds an entry
// for each missing optional dependency, at the version its parent pins, gated by
// os/cpu so npm skips it on other platforms. Run it after `npm install`.
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd'];
const CPU = [['arm64', /arm64|aarch64/], ['x64', /x64|x86_64/], ['ia32', /ia32/], ['arm', /-arm-|gnueabihf|musleabihf|-arm$/], ['ppc64', /ppc64/], ['s390x', /s390x/], ['riscv64', /riscv64/], ['loong64', /loong64/], ['wasm32', /wasm32/]];

let added = 0;
for (const meta of Object.values(lock.packages)) {
  for (const [dep, range] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (lock.packages[key]) continue;
    const name = dep.split('/').pop();
    const os = OS.find((o) => name.includes(o));
    const cpu = CPU.find(([, re]) => re.test(name))?.[0];
    lock.packages[key] = { version: String(range).replace(/^[\^~=]/, ''), optional: true, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
    added++;
  }
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} optional platform entries added`);
