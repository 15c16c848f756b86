import { parseEvent } from './registry';
import { uuidv7 } from './uuid-v7';

const event = (type: string, data: unknown) => ({
  id: uuidv7(), type, schemaVersion: 1, aggregateType: 'catalog', aggregateId: 'nowrepblue', aggregateVersion: 1,
  occurredAt: new Date().toISOString(), correlationId: 'c', causationId: 'c', actor: 'service:connectors', data,
});
const changed = { runId: 'r1', entity: 'talents', version: 2, chunk: 1, chunks: 1, counts: { added: 1, changed: 0, removed: 0 }, added: ['t1'], changed: [], removed: [] };

describe('connectors contracts', () => {
  it('accepts run progress and catalog changes', () => {
    expect(parseEvent(event('ConnectorEntityProgressed', { connector: 'nowrepblue', entity: 'talents', phase: 'fetched', fetched: 3, transformed: 0, total: null, durationMs: 5 })).type).toBe('ConnectorEntityProgressed');
    expect(parseEvent(event('CatalogEntityChanged', changed)).type).toBe('CatalogEntityChanged');
    expect(parseEvent(event('CatalogVersionSwitched', { runId: 'r1', version: 1, previousVersion: null, entities: { talents: { rows: 1, added: 1, changed: 0, removed: 0 } } })).type).toBe('CatalogVersionSwitched');
  });

  it('accepts the third set of catalog tables (three rotate: active, backup, the one a run writes)', () => {
    const third = { runId: 'r3', version: 3, previousVersion: 2, entities: { talents: { rows: 1, added: 0, changed: 1, removed: 0 } } };
    expect(parseEvent(event('CatalogVersionSwitched', third)).type).toBe('CatalogVersionSwitched');
    expect(parseEvent(event('CatalogRolledBack', { version: 2, previousVersion: 3 })).type).toBe('CatalogRolledBack');
  });

  it.each([
    ['an unknown trigger', 'ConnectorRunStarted', { connector: 'x', trigger: 'cron', entities: [] }, /data.trigger must be one of manual, schedule, webhook/],
    ['an unknown field', 'ConnectorRunSucceeded', { connector: 'x', durationMs: 1, records: 2, extra: 1 }, /extra is not a field/],
    ['a version other than 1, 2 or 3', 'CatalogRolledBack', { version: 4, previousVersion: 1 }, /data.version must be one of 1, 2, 3/],
    ['a chunk out of range', 'CatalogEntityChanged', { ...changed, chunk: 2 }, /chunk must be within/],
    ['numeric ids', 'CatalogEntityChanged', { ...changed, removed: [1] }, /data.removed.0 has the wrong type/],
    ['a missing field', 'ConnectorRunSucceeded', { connector: 'x', durationMs: 1 }, /data.records is missing/],
  ])('rejects %s', (_what, type, data, message) => {
    expect(() => parseEvent(event(type, data))).toThrow(message);
  });
});
