'use strict';
// `runs list | start <connector> | watch <id>`: connector runs and their per-entity progress.
const { CommandError, UsageError } = require('./errors');
const { duration, table } = require('./output');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const took = (r) => duration(Date.parse(r.finishedAt ?? new Date().toISOString()) - Date.parse(r.startedAt));
const entitiesDone = (r) => {
  const all = Object.values(r.entities ?? {});
  return `${all.filter((e) => ['transformed', 'failed', 'skipped'].includes(e.status)).length}/${all.length}`;
};

async function list(api, args, out) {
  const query = new URLSearchParams({ limit: String(args.flags.limit ?? 20), ...(args.flags.connector ? { connector: args.flags.connector } : {}) });
  const runs = await api.get(`/api/connectors/runs?${query}`);
  out.write(table(runs, [
    ['ID', (r) => r.id], ['CONNECTOR', (r) => r.connector], ['MODE', (r) => r.mode], ['TRIGGER', (r) => r.trigger], ['STATUS', (r) => r.status],
    ['STARTED', (r) => r.startedAt], ['TOOK', took], ['ENTITIES DONE', entitiesDone], ['ERROR', (r) => r.error?.message?.slice(0, 60)],
  ]));
}

async function start(api, args, out) {
  const [connector] = args.positional;
  if (!connector) throw new UsageError('name the connector to run (e.g. nowrepblue, broadstreet)');
  const run = await api.post(`/api/connectors/${encodeURIComponent(connector)}/runs`, args.flags.incremental ? { mode: 'incremental' } : {});
  out.write(`run ${run.id} of ${run.connector} started (${run.mode})\n`);
  if (args.flags.watch !== false) await follow(api, run.id, out);
}

async function watch(api, args, out) {
  const [id] = args.positional;
  if (!/^[0-9a-f-]{36}$/i.test(id ?? '')) throw new UsageError(`give the run's id (a UUID, from runs list), not "${id ?? ''}"`);
  await follow(api, id, out);
}

/** Redraws the run's entities (in place on a terminal) until it finishes; fails when the run failed. */
async function follow(api, id, out) {
  let drawn = 0;
  let last = '';
  for (;;) {
    const run = await api.get(`/api/connectors/runs/${id}`);
    const view = entityTable(run);
    if (view !== last) {
      if (out.isTTY && drawn) out.write(`\x1b[${drawn}A\x1b[J`);
      out.write(view);
      drawn = view.split('\n').length - 1;
      last = view;
    }
    if (run.status !== 'running') {
      out.write(`run ${run.id} ${run.status} in ${took(run)}\n`);
      if (run.status === 'failed') throw new CommandError(`run ${run.id} of ${run.connector} failed: ${run.error?.message ?? 'see the entities above'}`);
      return;
    }
    await sleep(500);
  }
}

function entityTable(run) {
  const entities = Object.values(run.entities ?? {}).sort((a, b) => a.level - b.level || a.entity.localeCompare(b.entity));
  return table(entities, [
    ['ENTITY', (e) => e.entity], ['LEVEL', (e) => e.level], ['STATUS', (e) => e.status], ['FETCHED', (e) => e.fetched], ['TRANSFORMED', (e) => e.transformed],
    ['TOTAL', (e) => e.total], ['PROGRESS', (e) => (e.total ? `${Math.floor((100 * e.transformed) / e.total)}%` : e.status === 'transformed' ? '100%' : '')],
    ['NOTE', (e) => e.skippedBecause ?? e.errors?.filter((x) => !x.retried).map((x) => x.message).join('; ').slice(0, 60)],
  ]);
}

module.exports = { list, start, watch };
