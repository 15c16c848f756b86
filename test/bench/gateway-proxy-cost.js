#!/usr/bin/env node
/**
 * What the gateway's proxy path costs beside the least a Node proxy can do, with
 * nothing else on the machine's cores: the gateway (the compiled app, as a process,
 * with its feed idle) and the bench's bare proxy (test/bench/src/alternatives/bare-proxy.ts)
 * both forward PUT /api/users/profile to an upstream that answers at once (a few
 * lines of node:http in a process of its own), closed loop at concurrency C,
 * alternated ROUNDS times. It prints each round's requests/s and CPU per request
 * of the proxy process (and of the upstream, the same work either way), then the
 * medians and their ratio.
 *
 * Scenario 2 measures the hop inside the whole system, where the host's noise
 * and the propagation each update causes move the ratio by ±0.1 between runs;
 * here the proxy alone is measured, a few percent apart between rounds. Use it
 * to see what a change to the gateway's proxy path (apps/gateway/src/proxy,
 * its edge middlewares) costs or saves.
 *
 * Run after `npm run build`: SECONDS=6 ROUNDS=3 C=16 node test/bench/gateway-proxy-cost.js
 */
const { spawn } = require('node:child_process');
const { join } = require('node:path');
require('./compile');
require('./dist/support/env');
const { eventually, freePort } = require('@ripple/testing');
const { startBenchRipple } = require('./dist/support/ripple');
const { httpJson } = require('./dist/support/http');
const { closedLoop } = require('./dist/support/load');
const { ResourceSampler } = require('./dist/support/resources');
const { summarize } = require('./dist/support/stats');

const SECONDS = Number(process.env.SECONDS ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const C = Number(process.env.C ?? 16);

const UPSTREAM = `
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = '{"data":{"ok":true}}';
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

async function main() {
  const upstreamPort = await freePort();
  const upstream = spawn(process.execPath, ['-e', UPSTREAM], { env: { PORT: String(upstreamPort) }, stdio: 'inherit' });
  const ripple = await startBenchRipple(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', { PROFILES_URL: `http://127.0.0.1:${upstreamPort}` });
  const barePort = await freePort();
  const bare = spawn(process.execPath, [join(__dirname, 'dist', 'alternatives', 'bare-proxy.js')], {
    env: { PATH: process.env.PATH, TARGET: `http://127.0.0.1:${upstreamPort}`, PORT: String(barePort) },
    stdio: 'inherit',
  });
  try {
    await eventually(async () => (await httpJson('GET', `http://127.0.0.1:${barePort}/health`).catch(() => undefined))?.status === 200, { timeoutMs: 10_000, what: 'the bare proxy' });
    const targets = {
      gateway: { url: `${ripple.url}/api/users/profile`, pid: ripple.pids.gateway },
      'bare proxy': { url: `http://127.0.0.1:${barePort}/api/users/profile`, pid: bare.pid },
    };
    // Any bearer token: the upstream does not check it, and nobody was revoked, so the gateway does not either.
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.x';
    const run = async (name, seconds) => {
      const { url, pid } = targets[name];
      const sampler = new ResourceSampler([{ name: 'proxy', pids: () => [pid] }, { name: 'upstream', pids: () => [upstream.pid] }]);
      sampler.start();
      const r = await closedLoop(C, seconds, async (w, i) => {
        const res = await httpJson('PUT', url, { profileInfo: { venueDescription: `proxy-cost-${w}-${i}` } }, { authorization: `Bearer ${token}` });
        return res.status === 200;
      });
      const [proxy, up] = sampler.stop();
      if (r.errors) throw new Error(`${name}: ${r.errors} requests failed`);
      return { perSecond: r.completed / r.seconds, proxyMs: (proxy.cpuSeconds * 1000) / r.completed, upstreamMs: (up.cpuSeconds * 1000) / r.completed };
    };
    for (const name of Object.keys(targets)) await run(name, 2);
    const results = Object.fromEntries(Object.keys(targets).map((n) => [n, []]));
    console.log(`closed loop, concurrency ${C}, ${SECONDS} s a run, ${ROUNDS} rounds alternated`);
    console.log('round  target        req/s   proxy CPU ms/req   upstream CPU ms/req');
    for (let k = 1; k <= ROUNDS; k++) {
      for (const name of Object.keys(targets)) {
        const r = await run(name, SECONDS);
        results[name].push(r);
        console.log(`${String(k).padEnd(6)} ${name.padEnd(12)} ${r.perSecond.toFixed(0).padStart(6)}   ${r.proxyMs.toFixed(4).padStart(16)}   ${r.upstreamMs.toFixed(4).padStart(19)}`);
      }
    }
    const m = (name, k) => summarize(results[name].map((r) => r[k])).p50;
    console.log(`median: gateway ${m('gateway', 'perSecond').toFixed(0)} req/s, ${m('gateway', 'proxyMs').toFixed(4)} ms of CPU per request; bare proxy ${m('bare proxy', 'perSecond').toFixed(0)} req/s, ${m('bare proxy', 'proxyMs').toFixed(4)} ms`);
    console.log(`gateway ÷ bare proxy: CPU per request ${(m('gateway', 'proxyMs') / m('bare proxy', 'proxyMs')).toFixed(2)}×, req/s ${(m('gateway', 'perSecond') / m('bare proxy', 'perSecond')).toFixed(2)}×`);
  } finally {
    bare.kill();
    upstream.kill();
    await ripple.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
