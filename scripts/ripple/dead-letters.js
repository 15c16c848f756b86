'use strict';
// `dead-letters list | retry <id> | discard <id>`, across every service that consumes a stream.
const { CommandError, UsageError } = require('./errors');
const { table } = require('./output');
const { projectionsByService } = require('./pipeline');

const STATUSES = ['open', 'resolved', 'discarded'];

async function consumers(api, only) {
  const services = [...new Set((await projectionsByService(api)).map((p) => p.service))];
  if (only && !services.includes(only)) throw new UsageError(`--service must be one of ${services.join(', ')}, not "${only}"`);
  return only ? [only] : services;
}

async function list(api, args, out) {
  const status = args.flags.status ?? 'open';
  if (!STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not "${status}"`);
  const query = new URLSearchParams({ status, ...(args.flags.projection ? { projection: args.flags.projection } : {}) });
  const rows = [];
  for (const service of await consumers(api, args.flags.service)) {
    for (const d of await api.get(`/api/ops/${service}/dead-letters?${query}`)) rows.push({ service, ...d });
  }
  out.write(table(rows, [
    ['ID', (d) => d.id], ['SERVICE', (d) => d.service], ['PROJECTION', (d) => d.projection], ['EVENT', (d) => d.eventType], ['AGGREGATE', (d) => d.aggregateId],
    ['ATTEMPTS', (d) => d.attempts], ['STATUS', (d) => d.status], ['BLOCKED BY', (d) => d.blockedBy], ['ERROR', (d) => (d.error ?? '').slice(0, 60)],
  ]));
}

/** The service that holds a dead letter: the one that knows its id. */
async function owner(api, id, only) {
  if (!/^[0-9a-f-]{36}$/i.test(id ?? '')) throw new UsageError(`give the dead letter's id (a UUID, from dead-letters list), not "${id ?? ''}"`);
  for (const service of await consumers(api, only)) {
    try {
      await api.get(`/api/ops/${service}/dead-letters/${id}`);
      return service;
    } catch (err) {
      if (err.status !== 404) throw err;
    }
  }
  throw new CommandError(`no service has a dead letter ${id}`);
}

async function retry(api, args, out) {
  const id = args.positional[0];
  const service = await owner(api, id, args.flags.service);
  const resolved = await api.post(`/api/ops/${service}/dead-letters/${id}/retry`);
  out.write(`${resolved.length} event(s) applied by ${service}: ${resolved.map((d) => `${d.eventType} ${d.aggregateId} v${d.aggregateVersion}`).join(', ')}\n`);
}

async function discard(api, args, out) {
  const id = args.positional[0];
  const service = await owner(api, id, args.flags.service);
  const d = await api.delete(`/api/ops/${service}/dead-letters/${id}`);
  out.write(`discarded ${d.id} (${d.eventType} ${d.aggregateId}) in ${service}\n`);
}

module.exports = { list, retry, discard };
