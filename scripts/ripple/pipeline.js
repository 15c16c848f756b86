'use strict';
// `lag`, and what the other commands learn from the admin pipeline view: which service runs which projection.
const { CommandError } = require('./errors');
const { table } = require('./output');

const pipeline = async (api) => (await api.get('/api/admin/pipeline')).services;

/** Fails naming every service the gateway could not ask. */
function unavailable(services) {
  const down = services.filter((s) => s.error);
  return down.length ? new CommandError(down.map((s) => `${s.service}: ${s.error}`).join('\n')) : undefined;
}

async function lag(api, _args, out) {
  const services = await pipeline(api);
  const rows = services.filter((s) => !s.error).flatMap((s) => [
    ...s.projections.map((p) => ({ service: s.service, projection: p.name, source: p.source, lag: p.lag, deadLetters: p.deadLetters, backlog: '' })),
    ...(s.outboxBacklog === null ? [] : [{ service: s.service, projection: '(outbox)', source: '', lag: '', deadLetters: '', backlog: s.outboxBacklog }]),
  ]);
  out.write(table(rows, [['SERVICE', (r) => r.service], ['PROJECTION', (r) => r.projection], ['STREAM', (r) => r.source], ['LAG', (r) => r.lag], ['DEAD LETTERS', (r) => r.deadLetters], ['OUTBOX BACKLOG', (r) => r.backlog]]));
  const problem = unavailable(services);
  if (problem) throw problem;
}

/** The service that runs a projection (or rebuilds a read model from its event store), from the pipeline view. */
async function projectionsByService(api) {
  const services = await pipeline(api);
  const problem = unavailable(services);
  if (problem) throw problem;
  return services.flatMap((s) => [...s.projections.map((p) => p.name), ...(s.readModels ?? [])].map((name) => ({ service: s.service, projection: name })));
}

module.exports = { lag, pipeline, projectionsByService };
