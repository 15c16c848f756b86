import { InconsistentCatalogMetadataError, NoBackupVersionError } from '../catalog.errors';

export type Version = 1 | 2;

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
  /** The version tables this run writes: never the active one. */
  target: Version;
  previous: Version | null;
  /** While the run writes the target, it is no backup any more: rollback must not point at half-written tables. */
  whileWriting: VersionState;
  afterSwitch: VersionState;
}

export function planImport(state: VersionState): ImportPlan {
  const target: Version = state.active === 1 ? 2 : 1;
  return {
    target,
    previous: state.active,
    whileWriting: { active: state.active, backup: null },
    afterSwitch: { active: target, backup: state.active },
  };
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
