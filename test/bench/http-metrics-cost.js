#!/usr/bin/env node
/**
 * CPU per request of the HTTP request metrics, in-process (no network): the
 * observer a request goes through before (counter by method and status) and
 * now (counter and latency histogram by method, route pattern and status).
 * Each simulated request is an emitter that 'close's, as a response does.
 * Run after `npm run build`: node test/bench/http-metrics-cost.js
 */
const { EventEmitter } = require('node:events');
const { RippleMetrics, observeHttpRequests } = require('../../libs/observability/dist');
const { Counter, Registry } = require('prom-client');

const N = 200_000;
const ROUTES = ['/api/users/*', '/api/venues/*', '/api/pets/*', '/api/sync/*', '/health'];
const requests = Array.from({ length: 64 }, (_, i) => ({ method: i % 4 ? 'PUT' : 'GET', route: ROUTES[i % ROUTES.length], status: i % 16 ? 200 : 404 }));

function before() {
  const registry = new Registry();
  const counter = new Counter({ name: 'ripple_http_requests_total', help: 'h', labelNames: ['method', 'status'], registers: [registry] });
  return (req, res, next) => {
    res.on('finish', () => counter.inc({ method: req.method, status: String(res.statusCode) }));
    next();
  };
}

function now() {
  return observeHttpRequests(new RippleMetrics('bench'), (req) => req.route.path);
}

/** CPU µs per request: the observer plus the emitter and objects a request brings anyway (`baseline` has only those). */
function run(observer, event) {
  const next = () => undefined;
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const r = requests[i & 63];
    const req = { method: r.method, route: { path: r.route } };
    const res = new EventEmitter();
    res.statusCode = r.status;
    observer(req, res, next);
    res.emit(event);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const baseline = (_req, _res, next) => next();
const observers = { before: before(), now: now() };
for (let i = 0; i < 2; i++) run(baseline, 'close'), run(observers.before, 'finish'), run(observers.now, 'close'); // warm up
const results = { baseline: [], before: [], now: [] };
for (let round = 0; round < 5; round++) {
  results.baseline.push(run(baseline, 'close'));
  results.before.push(run(observers.before, 'finish'));
  results.now.push(run(observers.now, 'close'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [b, old, cur] = [median(results.baseline), median(results.before), median(results.now)];
console.log(`CPU per request, median of 5 rounds of ${N}: emitter alone ${b.toFixed(2)} µs; metrics before ${(old - b).toFixed(2)} µs; now ${(cur - b).toFixed(2)} µs (added ${(cur - old).toFixed(2)} µs)`);
