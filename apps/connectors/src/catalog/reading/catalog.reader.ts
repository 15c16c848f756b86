import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogItemNotFoundError } from '../catalog.errors';
import { lockGateForReading } from '../importing/catalog-versions';
import { camelKeys } from './camel-keys';

const S = 'connectors';

export interface Page<T> {
  items: T[];
  total: number;
  version: number | null;
}

/**
 * Reads over the `<entity>_current` views. Each request is one transaction that
 * first takes the catalog gate in share mode: a switch (which takes it
 * exclusively) happens wholly before or wholly after, never in the middle.
 */
@Injectable()
export class CatalogReader {
  constructor(private readonly db: DataSource) {}

  talents(page: number, limit: number, search?: string): Promise<Page<unknown>> {
    return this.read(async (tx) => {
      const where = `WHERE ($1::text IS NULL OR t.first_name || ' ' || t.last_name ILIKE '%' || $1 || '%')`;
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM ${S}.talents_current t ${where}`, [search ?? null]);
      const rows = await tx.query(`SELECT to_jsonb(t) AS t FROM ${S}.talents_current t ${where} ORDER BY t.last_name, t.first_name, t.id LIMIT $2 OFFSET $3`, [search ?? null, limit, (page - 1) * limit]);
      return { items: rows.map((r: { t: unknown }) => camelKeys(r.t)), total: n };
    });
  }

  talent(id: string): Promise<{ item: unknown; version: number | null }> {
    return this.readOne('talent', id, `
      SELECT to_jsonb(t) || jsonb_build_object(
        'measurements', (SELECT to_jsonb(m) - 'talent_id' FROM ${S}.measurements_current m WHERE m.talent_id = t.id LIMIT 1),
        'socials', (SELECT coalesce(jsonb_agg(to_jsonb(s) - 'talent_id' ORDER BY s.platform, s.id), '[]') FROM ${S}.socials_current s WHERE s.talent_id = t.id),
        'portfolios', (SELECT coalesce(jsonb_agg(to_jsonb(p) - 'talent_id' || jsonb_build_object('media',
            (SELECT coalesce(jsonb_agg(to_jsonb(md) - 'portfolio_id' ORDER BY md.position, md.id), '[]') FROM ${S}.media_current md WHERE md.portfolio_id = p.id)
          ) ORDER BY p.id), '[]') FROM ${S}.portfolios_current p WHERE p.talent_id = t.id)
      ) AS item FROM ${S}.talents_current t WHERE t.id = $1`);
  }

  boards(page: number, limit: number): Promise<Page<unknown>> {
    return this.read(async (tx) => {
      const [{ n }] = await tx.query(`SELECT count(*)::int AS n FROM ${S}.boards_current`);
      const rows = await tx.query(
        `SELECT to_jsonb(b) || jsonb_build_object('talent_count', (SELECT count(*) FROM ${S}.board_talents_current x WHERE x.board_id = b.id)) AS b
         FROM ${S}.boards_current b ORDER BY b.id LIMIT $1 OFFSET $2`,
        [limit, (page - 1) * limit],
      );
      return { items: rows.map((r: { b: unknown }) => camelKeys(r.b)), total: n };
    });
  }

  board(id: string): Promise<{ item: unknown; version: number | null }> {
    return this.readOne('board', id, `
      SELECT to_jsonb(b) || jsonb_build_object(
        'talents', (SELECT coalesce(jsonb_agg(to_jsonb(t) || jsonb_build_object('position', x.position) ORDER BY x.position, t.id), '[]')
          FROM ${S}.board_talents_current x JOIN ${S}.talents_current t ON t.id = x.talent_id WHERE x.board_id = b.id),
        'portfolios', (SELECT coalesce(jsonb_agg(to_jsonb(p) || jsonb_build_object('position', x.position,
            'media', (SELECT coalesce(jsonb_agg(to_jsonb(md) - 'portfolio_id' ORDER BY md.position, md.id), '[]') FROM ${S}.media_current md WHERE md.portfolio_id = p.id)
          ) ORDER BY x.position, p.id), '[]')
          FROM ${S}.board_portfolios_current x JOIN ${S}.portfolios_current p ON p.id = x.portfolio_id WHERE x.board_id = b.id)
      ) AS item FROM ${S}.boards_current b WHERE b.id = $1`);
  }

  private async readOne(kind: string, id: string, sql: string): Promise<{ item: unknown; version: number | null }> {
    const { items, version } = await this.read(async (tx) => ({ items: (await tx.query(sql, [id])).map((r: { item: unknown }) => camelKeys(r.item)), total: 0 }));
    if (!items.length) throw new CatalogItemNotFoundError(kind, id);
    return { item: items[0], version };
  }

  private read<T>(fn: (tx: EntityManager) => Promise<{ items: T[]; total: number }>): Promise<Page<T>> {
    return this.db.transaction(async (tx) => {
      await lockGateForReading(tx);
      const [meta] = await tx.query(`SELECT active_version AS v FROM ${S}.sync_metadata WHERE entity_name = 'talents'`);
      return { ...(await fn(tx)), version: meta?.v ?? null };
    });
  }
}
