'use strict';
// `replay` (blue/green rebuilds, in the service that owns the projection) and `republish` (the relay sends a service's events again).
const { CommandError, UsageError } = require('./errors');
const { duration, progressBar, progressLine } = require('./output');
const { pipeline, projectionsByService } = require('./pipeline');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function replay(api, args, out) {
  const known = await projectionsByService(api);
  const all = args.flags.all === true;
  if (!all && !args.positional.length) throw new UsageError(`name the projections to replay, or --all; known: ${known.map((k) => k.projection).join(', ')}`);
  const unknown = args.positional.filter((name) => !known.some((k) => k.projection === name));
  if (unknown.length) throw new UsageError(`no projection named ${unknown.join(', ')}; known: ${known.map((k) => k.projection).join(', ')}`);
  const targets = all ? known : args.positional.map((name) => known.find((k) => k.projection === name));
  for (const { service, projection } of targets) await replayOne(api, service, projection, out);
}

async function replayOne(api, service, projection, out) {
  const started = Date.now();
  const bar = progressBar();
  let progress = { phase: 'starting', applied: 0, total: 0 };
  for await (const line of api.postLines(`/api/ops/${service}/projections/${encodeURIComponent(projection)}/replay`)) {
    if (line.status === 'failed') {
      bar.end(`${projection}: failed after ${duration(Date.now() - started)}`);
      throw new CommandError(`replay of ${projection} (${service}) failed: ${line.error}`);
    }
    if (line.status === 'done') {
      const seconds = (Date.now() - started) / 1000;
      bar.end(progressLine(`${projection} swapped`, progress.total, progress.total, Date.now() - started));
      out.write(`${projection} (${service}) rebuilt from ${progress.applied} events in ${seconds.toFixed(1)} s (${Math.round(progress.applied / Math.max(seconds, 0.001))} events/s)\n`);
      return;
    }
    progress = line;
    bar.update(progressLine(`${projection} ${line.phase}`, line.applied, line.total, Date.now() - started));
  }
  throw new CommandError(`the replay of ${projection} (${service}) stopped answering before it finished: see the ${service} log`);
}

async function republish(api, args, out) {
  const [service] = args.positional;
  if (!service) throw new UsageError('name the service whose events to republish');
  // `republish <service> <from>` is the older spelling (npm run republish -- profiles 100).
  const given = args.flags.from ?? args.positional[1];
  const from = given === undefined ? 0 : Number(given);
  if (!Number.isInteger(from) || from < 0) throw new UsageError(`--from must be an event store position (an integer ≥ 0), not "${given}"`);
  const started = Date.now();
  const { marked } = await api.post(`/api/ops/${encodeURIComponent(service)}/republish?from=${from}`);
  const bar = progressBar();
  for (;;) {
    const report = (await api.get(`/api/ops/${encodeURIComponent(service)}/pipeline`));
    const sent = Math.max(0, marked - report.outboxBacklog);
    if (report.outboxBacklog === 0) break;
    bar.update(progressLine(`${service} republishing`, sent, marked, Date.now() - started));
    await sleep(250);
  }
  bar.end(progressLine(`${service} republished`, marked, marked, Date.now() - started));
  out.write(`${marked} events of ${service} republished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

module.exports = { replay, republish, pipeline };
