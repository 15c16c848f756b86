import type { EntityManager } from 'typeorm';

/**
 * The statements that give a swapped-in shadow's indexes the names the live
 * table's had (`LIKE ... INCLUDING ALL` names them after the shadow), so code
 * that tells a unique violation by its constraint's name (`users_email_key`)
 * reads the same after a replay. Renaming an index renames the constraint it
 * backs. Indexes are matched by definition (method, columns, predicate,
 * uniqueness); one whose definition the live table has twice keeps its name.
 * Run them once the live table is dropped, when its names are free.
 */
export async function indexRenames(tx: EntityManager, schema: string, live: string, shadow: string): Promise<string[]> {
  const [liveIndexes, shadowIndexes] = [await indexesOf(tx, live), await indexesOf(tx, shadow)];
  const byDefinition = new Map<string, string | null>();
  for (const { name, definition } of liveIndexes) byDefinition.set(definition, byDefinition.has(definition) ? null : name);
  return shadowIndexes.flatMap(({ name, definition }) => {
    const target = byDefinition.get(definition);
    return target && target !== name ? [`ALTER INDEX "${schema}"."${name.replace(/"/g, '""')}" RENAME TO "${target.replace(/"/g, '""')}"`] : [];
  });
}

const indexesOf = (tx: EntityManager, table: string): Promise<{ name: string; definition: string }[]> =>
  tx.query(
    `SELECT c.relname AS name, i.indisprimary || '/' || i.indisunique || '/' || regexp_replace(pg_get_indexdef(i.indexrelid), '^.*? USING ', '') AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass`,
    [table],
  );
