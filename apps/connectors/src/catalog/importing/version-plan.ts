import { InconsistentCatalogMetadataError, NoBackupVersionError } from '../catalog.errors';

/** Three sets of version tables rotate: the active one, the backup, and the one a run writes. */
export type Version = 1 | 2 | 3;
const VERSIONS: readonly Version[] = [1, 2, 3];

export interface MetadataRow {
  entity: string;
  active: Version | null;
  backup: Version | null;
}

export interface VersionState {
  active: Version | null;
  backup: Version | null;
}

/** Every entity switches together, so sync_metadata must agree across entities. */
export function catalogState(rows: MetadataRow[], entities: readonly string[]): VersionState {
  const missing = entities.filter((e) => !rows.some((r) => r.entity === e));
  if (missing.length) throw new InconsistentCatalogMetadataError(`no row for ${missing.join(', ')}`);
  const own = rows.filter((r) => entities.includes(r.entity));
  const distinct = new Set(own.map((r) => `${r.active}/${r.backup}`));
  if (distinct.size > 1) throw new InconsistentCatalogMetadataError(`entities disagree on versions (${[...distinct].join(', ')})`);
  return { active: own[0].active, backup: own[0].backup };
}

export interface ImportPlan {
  /** The version tables this run writes: neither the active one nor the backup, which a failed run leaves as they are. */
  target: Version;
  previous: Version | null;
  afterSwitch: VersionState;
}

/** The lowest version that is neither active nor the backup; the old backup is given up only by the switch. */
export function planImport(state: VersionState): ImportPlan {
  const target = VERSIONS.find((v) => v !== state.active && v !== state.backup)!;
  return { target, previous: state.active, afterSwitch: { active: target, backup: state.active } };
}

export interface RollbackPlan {
  from: Version;
  to: Version;
  afterSwitch: VersionState;
}

export function planRollback(state: VersionState): RollbackPlan {
  if (state.active === null || state.backup === null) throw new NoBackupVersionError();
  return { from: state.active, to: state.backup, afterSwitch: { active: state.backup, backup: state.active } };
}

/** The statements that repoint every `<entity>_current` view (run in one transaction). */
export function viewSwitchStatements(schema: string, entities: readonly string[], to: Version): string[] {
  return entities.map((e) => `CREATE OR REPLACE VIEW ${schema}.${e}_current AS SELECT * FROM ${schema}.${e}_v${to}`);
}
