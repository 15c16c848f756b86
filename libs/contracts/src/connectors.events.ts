import type { EventEnvelope } from './envelope';

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

export interface ConnectorRunStartedData {
  connector: string;
  trigger: RunTrigger;
  entities: string[];
}
export interface ConnectorEntityProgressedData {
  connector: string;
  entity: string;
  phase: EntityPhase;
  fetched: number;
  transformed: number;
  total: number | null;
  durationMs: number;
}
export interface ConnectorRunSucceededData {
  connector: string;
  durationMs: number;
  records: number;
}
export interface ConnectorRunFailedData {
  connector: string;
  durationMs: number;
  entity: string | null;
  errorClass: UpstreamErrorClass;
  message: string;
}

export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}
export interface CatalogVersionSwitchedData {
  runId: string;
  version: number;
  previousVersion: number | null;
  /** Per entity: rows in the new version and what changed against the previous one. */
  entities: Record<string, ChangeCounts & { rows: number }>;
}
export interface CatalogEntityChangedData {
  runId: string;
  entity: string;
  version: number;
  /** 1-based chunk number of `chunks`; ids of one entity are split so messages stay small. */
  chunk: number;
  chunks: number;
  counts: ChangeCounts;
  added: string[];
  changed: string[];
  removed: string[];
}
export interface CatalogRolledBackData {
  version: number;
  previousVersion: number;
}

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
