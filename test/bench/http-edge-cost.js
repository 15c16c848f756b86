#!/usr/bin/env node
/**
 * What a command's HTTP edge costs a service's process, with nothing behind it:
 * `PUT /c/profile` answered at once (the same user JSON every time, no database,
 * no broker) by four servers, each a process of its own, closed loop at
 * concurrency C, alternated ROUNDS times; it prints each one's requests/s and
 * CPU per request, then the medians.
 *   plain        node:http, the bearer token verified and the body checked by hand
 *                (the raw topology's command, alternatives/raw-topology.ts)
 *   nest express Nest on Express with its default JSON body parser, nothing else
 *   nest fastify Nest on Fastify with its default JSON body parser, nothing else
 *   ripple edge  Ripple's HTTP edge as every service has it (createHttpApp, on Fastify: correlation
 *                ids, request metrics, the JSON body checks, the log context, the strict
 *                validation pipe, the error filter) with the profiles app's own
 *                UpdateProfileDto and BearerAuthGuard, as `PUT /api/users/profile` has them
 *                (alternatives/edge-app.ts, which scenario 2's alternative d runs too)
 *
 * Scenario 2 prices the command path inside the whole system, where the host
 * moves every figure by ±0.1 between runs; its raw topology behind this edge
 * (alternative d) against the raw topology (c) is the same comparison there.
 *
 * Run after `npm run build`: SECONDS=5 ROUNDS=3 C=16 node test/bench/http-edge-cost.js
 * SERVER_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/edge") adds node flags to the servers.
 */
const { fork } = require('node:child_process');
const http = require('node:http');

const SECRET = 'bench-edge-secret-at-least-16';
const answer = (sub) => ({
  success: true,
  data: { id: sub, username: 'someone', email: 'someone@example.com', role: 'venue', profileInfo: { venueName: 'Arena', venueLocation: 'Quito', venueDescription: 'x' }, version: 7, createdAt: new Date(), updatedAt: new Date() },
});

/** The server side: ROLE and PORT from the environment; says 'ready' once listening. */
async function serve() {
  process.once('SIGINT', () => process.exit(0));
  const port = Number(process.env.PORT);
  if (process.env.ROLE === 'plain') {
    const { bearerSubject, readBody, send } = require('./dist/alternatives/plain-http');
    http.createServer(async (req, res) => {
      const sub = bearerSubject(req, SECRET);
      const body = await readBody(req).catch(() => undefined);
      if (!sub || typeof body?.profileInfo !== 'object') return send(res, 400, { success: false });
      send(res, 200, answer(sub));
    }).listen(port, '127.0.0.1', () => process.send('ready'));
    return;
  }
  const { createProfileEdgeApp } = require('./dist/alternatives/edge-app');
  const app = await createProfileEdgeApp({ secret: SECRET, bare: { 'nest express': 'express', 'nest fastify': 'fastify' }[process.env.ROLE], update: (_profileInfo, userId) => answer(userId ?? 'bare') });
  await app.listen(port, '127.0.0.1');
  process.send('ready');
}

async function measure() {
  require('./compile');
  const { signJwt } = require('./dist/alternatives/jwt');
  const { freePort } = require('@ripple/testing');
  const { httpJson } = require('./dist/support/http');
  const { closedLoop } = require('./dist/support/load');
  const { ResourceSampler } = require('./dist/support/resources');
  const { summarize } = require('./dist/support/stats');
  const SECONDS = Number(process.env.SECONDS ?? 5);
  const ROUNDS = Number(process.env.ROUNDS ?? 3);
  const C = Number(process.env.C ?? 16);
  const token = signJwt('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', SECRET);
  const run = async (role) => {
    const port = await freePort();
    const child = fork(__filename, [], { env: { ...process.env, ROLE: role, PORT: String(port) }, execArgv: (process.env.SERVER_ARGS ?? '').split(' ').filter(Boolean) });
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the ${role} server exited (${code})`)));
    });
    const loop = (seconds) => closedLoop(C, seconds, async (w, i) => (await httpJson('PUT', `http://127.0.0.1:${port}/c/profile`, { profileInfo: { venueDescription: `d-${w}-${i}` } }, { authorization: `Bearer ${token}` })).status === 200);
    await loop(1.5);
    const sampler = new ResourceSampler([{ name: role, pids: () => [child.pid] }]);
    sampler.start();
    const r = await loop(SECONDS);
    const [server] = sampler.stop();
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    if (r.errors) throw new Error(`${r.errors} requests to the ${role} server did not answer 200`);
    return { perSecond: r.completed / r.seconds, cpuMsPerRequest: (server.cpuSeconds * 1000) / r.completed };
  };
  const roles = ['plain', 'nest express', 'nest fastify', 'ripple edge'];
  const results = new Map(roles.map((r) => [r, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated, in both orders, so no server pays alone for the host's slow moments.
    for (const role of round % 2 ? [...roles].reverse() : roles) {
      const r = await run(role);
      results.get(role).push(r);
      console.log(`round ${round + 1}, ${role}: ${Math.round(r.perSecond)} req/s, ${r.cpuMsPerRequest.toFixed(3)} ms of CPU per request`);
    }
  }
  const median = (xs) => summarize(xs).p50;
  const plain = median(results.get('plain').map((r) => r.cpuMsPerRequest));
  console.log(`\nmedians (concurrency ${C}, ${SECONDS} s × ${ROUNDS}):`);
  for (const role of roles) {
    const cpu = median(results.get(role).map((r) => r.cpuMsPerRequest));
    console.log(`  ${role.padEnd(12)} ${Math.round(median(results.get(role).map((r) => r.perSecond))).toString().padStart(6)} req/s  ${cpu.toFixed(3)} ms of CPU per request  (${(cpu / plain).toFixed(1)}× plain)`);
  }
}

(process.env.ROLE ? serve() : measure()).catch((err) => {
  console.error(err);
  process.exit(1);
});
