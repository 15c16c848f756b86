import { ADMINS_ONLY } from './audience';
import type { EventContract } from './contract';
import type { EventEnvelope } from './envelope';
import { Closed, Nullable, OneOf, Type, type Static, type TLiteral } from './schema';

/**
 * The connectors context: runs of a connector (import/export jobs against an
 * external API) and the catalog imported from NowRepBlue. Run events let the
 * gateway show progress live; catalog events say what changed between two
 * imported versions, in chunks so each message stays small.
 */
export const CONNECTOR_RUN_AGGREGATE = 'connector-run';
export const CATALOG_AGGREGATE = 'catalog';

export const RUN_TRIGGERS = ['manual', 'schedule', 'webhook'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export const ENTITY_PHASES = ['fetched', 'transformed'] as const;
export type EntityPhase = (typeof ENTITY_PHASES)[number];
export const UPSTREAM_ERROR_CLASSES = ['network', 'auth', 'validation', 'rate_limit', 'upstream_5xx', 'internal'] as const;
export type UpstreamErrorClass = (typeof UPSTREAM_ERROR_CLASSES)[number];

const name = () => Type.String({ minLength: 1 });
const count = () => Type.Integer({ minimum: 0 });
/** Three sets of catalog tables rotate (the active one, the backup, the one a run writes). */
export const CATALOG_VERSIONS = [1, 2, 3] as const;
const catalogVersion = () => Type.Union(CATALOG_VERSIONS.map((v) => Type.Literal(v)) as [TLiteral<1>, TLiteral<2>, TLiteral<3>]);
const ids = () => Type.Array(Type.String());
const ChangeCounts = Type.Object({ added: count(), changed: count(), removed: count() });

const ConnectorRunStartedData = Closed({ connector: name(), trigger: OneOf(RUN_TRIGGERS), entities: Type.Array(Type.String()) });
const ConnectorEntityProgressedData = Closed({
  connector: name(), entity: name(), phase: OneOf(ENTITY_PHASES), fetched: count(), transformed: count(), total: Nullable(count()), durationMs: count(),
});
const ConnectorRunSucceededData = Closed({ connector: name(), durationMs: count(), records: count() });
const ConnectorRunFailedData = Closed({
  connector: name(), durationMs: count(), entity: Nullable(name()), errorClass: OneOf(UPSTREAM_ERROR_CLASSES), message: Type.String(),
});
const CatalogVersionSwitchedData = Closed({
  runId: name(),
  version: catalogVersion(),
  previousVersion: Nullable(catalogVersion()),
  entities: Type.Record(Type.String(), Type.Object({ rows: count(), ...ChangeCounts.properties }), {
    description: 'Per entity: rows in the new version and what changed against the previous one.',
  }),
});
const CatalogEntityChangedData = Closed({
  runId: name(),
  entity: name(),
  version: catalogVersion(),
  chunk: Type.Integer({ minimum: 1, description: '1-based chunk number of `chunks`; ids of one entity are split so messages stay small.' }),
  chunks: count(),
  counts: ChangeCounts,
  added: ids(),
  changed: ids(),
  removed: ids(),
});
const CatalogRolledBackData = Closed({ version: catalogVersion(), previousVersion: catalogVersion() });

export type ChangeCounts = Static<typeof ChangeCounts>;
export type ConnectorRunStartedData = Static<typeof ConnectorRunStartedData>;
export type ConnectorEntityProgressedData = Static<typeof ConnectorEntityProgressedData>;
export type ConnectorRunSucceededData = Static<typeof ConnectorRunSucceededData>;
export type ConnectorRunFailedData = Static<typeof ConnectorRunFailedData>;
export type CatalogVersionSwitchedData = Static<typeof CatalogVersionSwitchedData>;
export type CatalogEntityChangedData = Static<typeof CatalogEntityChangedData>;
export type CatalogRolledBackData = Static<typeof CatalogRolledBackData>;

export type ConnectorRunStarted = EventEnvelope<'ConnectorRunStarted', ConnectorRunStartedData>;
export type ConnectorEntityProgressed = EventEnvelope<'ConnectorEntityProgressed', ConnectorEntityProgressedData>;
export type ConnectorRunSucceeded = EventEnvelope<'ConnectorRunSucceeded', ConnectorRunSucceededData>;
export type ConnectorRunFailed = EventEnvelope<'ConnectorRunFailed', ConnectorRunFailedData>;
export type CatalogVersionSwitched = EventEnvelope<'CatalogVersionSwitched', CatalogVersionSwitchedData>;
export type CatalogEntityChanged = EventEnvelope<'CatalogEntityChanged', CatalogEntityChangedData>;
export type CatalogRolledBack = EventEnvelope<'CatalogRolledBack', CatalogRolledBackData>;
export type ConnectorsEvent =
  | ConnectorRunStarted
  | ConnectorEntityProgressed
  | ConnectorRunSucceeded
  | ConnectorRunFailed
  | CatalogVersionSwitched
  | CatalogEntityChanged
  | CatalogRolledBack;
export type ConnectorsEventType = ConnectorsEvent['type'];

/** Runs and catalog versions concern no user: admins see them. */
export const CONNECTORS_CONTRACTS: Record<ConnectorsEventType, EventContract> = {
  ConnectorRunStarted: { schema: ConnectorRunStartedData, audience: ADMINS_ONLY, change: 'created' },
  ConnectorEntityProgressed: { schema: ConnectorEntityProgressedData, audience: ADMINS_ONLY, change: 'updated' },
  ConnectorRunSucceeded: { schema: ConnectorRunSucceededData, audience: ADMINS_ONLY, change: 'updated' },
  ConnectorRunFailed: { schema: ConnectorRunFailedData, audience: ADMINS_ONLY, change: 'updated' },
  CatalogVersionSwitched: { schema: CatalogVersionSwitchedData, audience: ADMINS_ONLY, change: 'updated' },
  CatalogEntityChanged: {
    schema: CatalogEntityChangedData,
    audience: ADMINS_ONLY,
    change: 'updated',
    refine: (d) => ((d.chunk as number) <= (d.chunks as number) ? [] : ['data.chunk must be within 1..chunks']),
  },
  CatalogRolledBack: { schema: CatalogRolledBackData, audience: ADMINS_ONLY, change: 'updated' },
};
