import { InconsistentCatalogMetadataError, NoBackupVersionError } from '../catalog.errors';
import { catalogState, planImport, planRollback, viewSwitchStatements, type MetadataRow, type VersionState } from './version-plan';

const rows = (active: 1 | 2 | 3 | null, backup: 1 | 2 | 3 | null): MetadataRow[] => ['talents', 'boards'].map((entity) => ({ entity, active, backup }));

describe('version plan', () => {
  it('writes v1 first, then rotates, keeping the version it replaces as the backup', () => {
    expect(planImport(catalogState(rows(null, null), ['talents', 'boards']))).toEqual({ target: 1, previous: null, afterSwitch: { active: 1, backup: null } });
    expect(planImport({ active: 1, backup: null })).toEqual({ target: 2, previous: 1, afterSwitch: { active: 2, backup: 1 } });
    expect(planImport({ active: 2, backup: 1 })).toEqual({ target: 3, previous: 2, afterSwitch: { active: 3, backup: 2 } });
    expect(planImport({ active: 3, backup: 2 })).toEqual({ target: 1, previous: 3, afterSwitch: { active: 1, backup: 3 } });
    expect(planImport({ active: 1, backup: 2 })).toMatchObject({ target: 3 });
  });

  it('never writes the active version or the backup, so a failed run leaves both as they were', () => {
    const states = [null, 1, 2, 3].flatMap((active) => [null, 1, 2, 3].filter((b) => active !== null && b !== active).map((backup) => ({ active, backup }) as VersionState));
    for (const s of [{ active: null, backup: null }, ...states]) {
      const { target } = planImport(s);
      expect([s.active, s.backup]).not.toContain(target);
    }
  });

  it('rolls back to the backup, which keeps the rolled-back version as the new backup', () => {
    expect(planRollback({ active: 2, backup: 1 })).toEqual({ from: 2, to: 1, afterSwitch: { active: 1, backup: 2 } });
    expect(() => planRollback({ active: 1, backup: null })).toThrow(NoBackupVersionError);
  });

  it('refuses metadata where entities disagree or are missing', () => {
    expect(() => catalogState([...rows(1, 2).slice(0, 1), { entity: 'boards', active: 2, backup: 1 }], ['talents', 'boards'])).toThrow(InconsistentCatalogMetadataError);
    expect(() => catalogState(rows(1, 2), ['talents', 'boards', 'tags'])).toThrow(/no row for tags/);
  });

  it('repoints every view to the same version', () => {
    expect(viewSwitchStatements('connectors', ['talents', 'media_tags'], 2)).toEqual([
      'CREATE OR REPLACE VIEW connectors.talents_current AS SELECT * FROM connectors.talents_v2',
      'CREATE OR REPLACE VIEW connectors.media_tags_current AS SELECT * FROM connectors.media_tags_v2',
    ]);
  });
});
