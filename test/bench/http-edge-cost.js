#!/usr/bin/env node
/**
 * What a command's HTTP edge costs a service's process, with nothing behind it:
 * `PUT /c/profile` answered at once (the same user JSON every time, no database,
 * no broker) by three servers, each a process of its own, closed loop at
 * concurrency C, alternated ROUNDS times; it prints each one's requests/s and
 * CPU per request, then the medians.
 *   plain        node:http, the bearer token verified and the body checked by hand
 *                (the raw topology's command, alternatives/raw-topology.ts)
 *   nest         Nest on Express with its default JSON body parser, nothing else
 *   ripple edge  Ripple's HTTP edge as every service has it (createHttpApp: correlation
 *                ids, request metrics, the JSON body checks, the log context, the strict
 *                validation pipe, the error filter) with the profiles app's own
 *                UpdateProfileDto and BearerAuthGuard, as `PUT /api/users/profile` has them
 *
 * Scenario 2 prices the command path inside the whole system, where the host
 * moves every figure by ±0.1 between runs; its raw topology behind this edge
 * (alternative d) against the raw topology (c) is the same comparison there.
 *
 * Run after `npm run build`: SECONDS=5 ROUNDS=3 C=16 node test/bench/http-edge-cost.js
 * SERVER_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/edge") adds node flags to the servers.
 */
const { fork } = require('node:child_process');
const { readFileSync } = require('node:fs');
const http = require('node:http');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
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
    const { verifyJwt } = require('./dist/alternatives/jwt');
    http.createServer((req, res) => {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const sub = token && verifyJwt(token, SECRET);
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString());
        } catch {
          body = undefined;
        }
        if (!sub || typeof body?.profileInfo !== 'object') {
          res.writeHead(400);
          return res.end();
        }
        const text = JSON.stringify(answer(sub));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    }).listen(port, '127.0.0.1', () => process.send('ready'));
    return;
  }
  require('reflect-metadata');
  const { Body, Controller, Module, Put, UseGuards } = require('@nestjs/common');
  const { NestFactory } = require('@nestjs/core');
  const { BearerAuthGuard, CurrentUser, JWT_SECRET } = require('@ripple/auth');
  const { createHttpApp } = require('@ripple/http-edge');
  const { JsonLogger, RippleMetrics } = require('@ripple/observability');
  const { UpdateProfileDto } = require(join(ROOT, 'apps', 'profiles', 'dist', 'users', 'updating-profile', 'update-profile.controller.js'));
  const edge = process.env.ROLE === 'ripple edge';
  // Decorated by hand (plain JS): the route as the profiles app declares it, or bare.
  class EdgeController {
    update(_dto, caller) {
      return answer(caller?.sub ?? 'bare');
    }
  }
  Reflect.defineMetadata('design:paramtypes', [edge ? UpdateProfileDto : Object, Object], EdgeController.prototype, 'update');
  Body()(EdgeController.prototype, 'update', 0);
  if (edge) CurrentUser()(EdgeController.prototype, 'update', 1);
  Put('profile')(EdgeController.prototype, 'update', Object.getOwnPropertyDescriptor(EdgeController.prototype, 'update'));
  if (edge) UseGuards(BearerAuthGuard)(EdgeController);
  Controller('c')(EdgeController);
  class EdgeModule {}
  Module({ controllers: [EdgeController], providers: [{ provide: JWT_SECRET, useValue: SECRET }] })(EdgeModule);
  const app = edge
    ? await createHttpApp(EdgeModule, { logger: new JsonLogger('http-edge-cost', 'error'), metrics: new RippleMetrics('http-edge-cost'), bodyLimit: '1mb' })
    : await NestFactory.create(EdgeModule, { logger: false });
  await app.listen(port, '127.0.0.1');
  process.send('ready');
}

/** CPU ticks (user + system) of a process. */
function ticks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function measure() {
  require('./compile');
  const { signJwt } = require('./dist/alternatives/jwt');
  const { freePort } = require('@ripple/testing');
  const { summarize } = require('./dist/support/stats');
  const SECONDS = Number(process.env.SECONDS ?? 5);
  const ROUNDS = Number(process.env.ROUNDS ?? 3);
  const C = Number(process.env.C ?? 16);
  const token = signJwt('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', SECRET);
  const agent = new http.Agent({ keepAlive: true, maxSockets: C });
  const put = (port, i) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ profileInfo: { venueDescription: `d-${i}` } });
    const req = http.request({
      host: '127.0.0.1', port, path: '/c/profile', method: 'PUT', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
  const run = async (role) => {
    const port = await freePort();
    const child = fork(__filename, [], { env: { ...process.env, ROLE: role, PORT: String(port) }, execArgv: (process.env.SERVER_ARGS ?? '').split(' ').filter(Boolean) });
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the ${role} server exited (${code})`)));
    });
    const loop = async (seconds) => {
      let n = 0;
      let failed = 0;
      const until = Date.now() + seconds * 1000;
      await Promise.all(Array.from({ length: C }, async () => {
        while (Date.now() < until) if ((await put(port, n++)) !== 200) failed++;
      }));
      return { n, failed };
    };
    await loop(1.5);
    const before = ticks(child.pid);
    const started = Date.now();
    const { n, failed } = await loop(SECONDS);
    const seconds = (Date.now() - started) / 1000;
    const cpuMs = (ticks(child.pid) - before) * 10;
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
    if (failed) throw new Error(`${failed} of ${n} requests to the ${role} server did not answer 200`);
    return { perSecond: n / seconds, cpuMsPerRequest: cpuMs / n };
  };
  const roles = ['plain', 'nest', 'ripple edge'];
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
