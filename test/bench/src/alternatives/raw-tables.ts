import type { Client } from 'pg';
import type { EntityManager } from 'typeorm';
import { createShadowOf } from '@ripple/projections';

/**
 * `target`, empty, made like `source` (qualified names): its columns, indexes and storage
 * parameters (createShadowOf, the rebuild's own copy), logged as the source is; with
 * `ownPositions`, its `position` numbered by a sequence of its own (LIKE copies the default,
 * which would take them from the source's).
 */
export async function createTableLike(db: Client, target: string, source: string, ownPositions = false): Promise<void> {
  const rows = { query: async (text: string, values?: unknown[]) => (await db.query(text, values)).rows } as unknown as EntityManager;
  const { unlogged } = await createShadowOf(rows, source, target);
  if (!unlogged) await db.query(`ALTER TABLE ${target} SET LOGGED`);
  if (ownPositions) {
    await db.query(`CREATE SEQUENCE ${target}_positions OWNED BY ${target}.position`);
    await db.query(`ALTER TABLE ${target} ALTER COLUMN position SET DEFAULT nextval('${target}_positions')`);
  }
}
