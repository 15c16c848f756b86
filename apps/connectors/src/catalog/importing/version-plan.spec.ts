import { InconsistentCatalogMetadataError, NoBackupVersionError } from '../catalog.errors';
import { catalogState, planImport, planRollback, viewSwitchStatements, type MetadataRow } from './version-plan';

const rows = (active: 1 | 2 | null, backup: 1 | 2 | null): MetadataRow[] => ['talents', 'boards'].map((entity) => ({ entity, active, backup }));

describe('version plan', () => {
  it('writes v1 first, then alternates, keeping the version it replaces as the backup', () => {
    expect(planImport(catalogState(rows(null, null), ['talents', 'boards']))).toEqual({
      target: 1, previous: null, whileWriting: { active: null, backup: null }, afterSwitch: { active: 1, backup: null },
    });
    expect(planImport({ active: 1, backup: null })).toMatchObject({ target: 2, previous: 1, afterSwitch: { active: 2, backup: 1 } });
    expect(planImport({ active: 2, backup: 1 })).toMatchObject({ target: 1, previous: 2, afterSwitch: { active: 1, backup: 2 } });
  });

  it('drops the backup while its tables are being rewritten', () => {
    expect(planImport({ active: 2, backup: 1 }).whileWriting).toEqual({ active: 2, backup: null });
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
