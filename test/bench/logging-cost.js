#!/usr/bin/env node
/**
 * CPU per log line of the apps' logger, in-process: the JsonLogger on pino now,
 * against the one it replaced (JSON.stringify and process.stdout.write), for a
 * line written (info, with a correlation id in context) and a line below the
 * threshold (debug at LOG_LEVEL=warn, what the bench runs with: the proxy's
 * per-request line). Lines go to /dev/null: this process re-runs itself with
 * stdout ignored, and reports on stderr.
 * Run after `npm run build`: node test/bench/logging-cost.js
 */
const { spawnSync } = require('node:child_process');

const N = 200_000;

if (process.argv[2] !== 'child') {
  const run = spawnSync(process.execPath, [__filename, 'child'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const r = JSON.parse(run.stderr);
  const row = (what, before, now) => console.log(`${what.padEnd(40)} before ${before.toFixed(3)} µs   now ${now.toFixed(3)} µs   (${(now / before).toFixed(2)}×)`);
  console.log(`CPU per line, ${N.toLocaleString()} lines each, best of 5`);
  row('info line written', r.before.written, r.now.written);
  row('debug line at LOG_LEVEL=warn (skipped)', r.before.skipped, r.now.skipped);
  process.exit(0);
}

const { JsonLogger, withLogContext, currentLogContext } = require('../../libs/observability/dist');
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 };

/** The JsonLogger before pino, line for line. */
class Before {
  constructor(service, level) {
    this.service = service;
    this.min = LEVELS[level];
  }
  event(level, msg, fields = {}) {
    if (LEVELS[level] < this.min) return;
    process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, service: this.service, msg, ...currentLogContext(), ...fields }) + '\n');
  }
}

function cpuMicros(fn) {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / N);
  }
  return best;
}

function measure(make) {
  const info = make('info');
  const warn = make('warn');
  const written = withLogContext({ correlationId: '0193c0de-0000-7000-8000-000000000000' }, () =>
    cpuMicros(() => {
      for (let i = 0; i < N; i++) info.event('info', 'relay published', { count: i, stream: 'PROFILES' });
    }),
  );
  const skipped = cpuMicros(() => {
    for (let i = 0; i < N; i++) warn.event('debug', 'proxied', { upstream: 'profiles', method: 'PUT', path: '/api/users/profile', status: 200, ms: i });
  });
  return { written, skipped };
}

const before = measure((level) => new Before('bench', level));
const now = measure((level) => new JsonLogger('bench', level));
process.stderr.write(JSON.stringify({ before, now }));
