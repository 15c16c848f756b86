import { ENTITY_PHASES, RUN_TRIGGERS, UPSTREAM_ERROR_CLASSES, type ConnectorsEventType } from './connectors.events';

type PayloadCheck = (data: Record<string, unknown>) => string[];
type Test = (v: unknown) => boolean;

const str: Test = (v) => typeof v === 'string' && v.length > 0;
const count: Test = (v) => Number.isInteger(v) && (v as number) >= 0;
const version: Test = (v) => v === 1 || v === 2;
const oneOf = (values: readonly string[]): Test => (v) => typeof v === 'string' && values.includes(v);
const nullable = (t: Test): Test => (v) => v === null || t(v);
const ids: Test = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const strings = ids;
const counts: Test = (v) => typeof v === 'object' && v !== null && ['added', 'changed', 'removed'].every((k) => count((v as Record<string, unknown>)[k]));
const entityCounts: Test = (v) =>
  typeof v === 'object' && v !== null && Object.values(v).every((c) => counts(c) && count((c as Record<string, unknown>).rows));

/** Every listed field must be present with the right type; unknown fields are refused. */
const shape = (fields: Record<string, Test>): PayloadCheck => (d) => [
  ...Object.keys(d).filter((k) => !(k in fields)).map((k) => `data.${k} is not a field`),
  ...Object.entries(fields).flatMap(([k, test]) => (test(d[k]) ? [] : [`data.${k} is missing or has the wrong type`])),
];

export const CONNECTORS_PAYLOAD_CHECKS: Record<ConnectorsEventType, PayloadCheck> = {
  ConnectorRunStarted: shape({ connector: str, trigger: oneOf(RUN_TRIGGERS), entities: strings }),
  ConnectorEntityProgressed: shape({
    connector: str, entity: str, phase: oneOf(ENTITY_PHASES), fetched: count, transformed: count, total: nullable(count), durationMs: count,
  }),
  ConnectorRunSucceeded: shape({ connector: str, durationMs: count, records: count }),
  ConnectorRunFailed: shape({ connector: str, durationMs: count, entity: nullable(str), errorClass: oneOf(UPSTREAM_ERROR_CLASSES), message: (v) => typeof v === 'string' }),
  CatalogVersionSwitched: shape({ runId: str, version, previousVersion: nullable(version), entities: entityCounts }),
  CatalogEntityChanged: (d) => [
    ...shape({ runId: str, entity: str, version, chunk: count, chunks: count, counts, added: ids, changed: ids, removed: ids })(d),
    ...(count(d.chunk) && count(d.chunks) && (d.chunk as number) >= 1 && (d.chunk as number) <= (d.chunks as number) ? [] : ['data.chunk must be within 1..chunks']),
  ],
  CatalogRolledBack: shape({ version, previousVersion: version }),
};
