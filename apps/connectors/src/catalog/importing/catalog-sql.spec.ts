import { catalogEntity } from '../catalog-entities';
import { copyVersionSql, danglingReferencesSql, deleteRefetchedSql, diffSql, transformSql } from './catalog-sql';

describe('catalog SQL', () => {
  it('maps a whole entity from staged JSON in one INSERT ... SELECT', () => {
    const sql = transformSql(catalogEntity('portfolios'), 2);
    expect(sql).toMatch(/^INSERT INTO connectors\.portfolios_v2 \(id, talent_id, title, description, created_at\) SELECT r\."id", r\."talentId"/);
    expect(sql).toContain('jsonb_to_recordset(j.records) AS r("id" text, "talentId" text, "title" text, "description" text, "createdAt" timestamptz, "deleted" boolean)');
    expect(sql).toMatch(/WHERE j\.run_id = \$1 AND r\."deleted" IS NOT TRUE$/);
  });

  it('an incremental run copies the active version, then drops every row it fetched again, by key', () => {
    expect(copyVersionSql(catalogEntity('tags'), 1, 3)).toBe('INSERT INTO connectors.tags_v3 SELECT * FROM connectors.tags_v1');
    const sql = deleteRefetchedSql(catalogEntity('board_talents'), 3);
    expect(sql).toMatch(/^DELETE FROM connectors\.board_talents_v3 t USING \(SELECT r\."boardId" AS board_id, r\."talentId" AS talent_id FROM connectors\.board_talents_json j/);
    expect(sql).toMatch(/WHERE t\.board_id = s\.board_id AND t\.talent_id = s\.talent_id$/);
  });

  it('checks each reference against the same new version', () => {
    const [a, b] = danglingReferencesSql(catalogEntity('board_talents'), 1);
    expect(a).toContain('FROM connectors.board_talents_v1 x');
    expect(a).toContain('connectors.boards_v1 p WHERE p.id = x.board_id');
    expect(b).toContain('connectors.talents_v1 p WHERE p.id = x.talent_id');
  });

  it('diffs junctions by their composite key', () => {
    const sql = diffSql(catalogEntity('media_tags'), 2, 1);
    expect(sql).toContain("coalesce(n.media_id || ':' || n.tag_id, o.media_id || ':' || o.tag_id)");
    expect(sql).toContain('n.media_id = o.media_id AND n.tag_id = o.tag_id');
    expect(diffSql(catalogEntity('tags'), 1, null)).toContain("'added' AS change FROM connectors.tags_v1");
  });
});
