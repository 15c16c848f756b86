import { QueryFailedError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { inlineStatement, type DeferredWrite, type Statement, type StatementRows } from './projection';

/**
 * A transaction that costs no round trip of its own: BEGIN travels with the
 * work's first statements (`opening`) and COMMIT with its last (`closing`, each
 * handed its rows; a large one goes ahead on its own, see INLINE_MAX_CHARS),
 * each pair as one multi-statement query (PostgreSQL's simple protocol, so
 * those statements' values go in as literals: inlineStatement). On this kind of machine a
 * round trip to PostgreSQL costs more CPU, on both sides, than most statements
 * it carries (the sender's write runs the loopback's delivery and the wake-up).
 *
 * Every statement still runs on a snapshot of its own (READ COMMITTED takes
 * one per statement, also within one query string), so an opening statement
 * that reads after one that takes locks sees what the locks' last holder
 * committed. TypeORM runs the transaction as usual (its state, and subscribers
 * such as notifyAfterCommit, see BEGIN and COMMIT): only the two statements it
 * sends for them are widened.
 */
/**
 * A write whose values are larger than this (roughly, in characters) is not
 * written in as literals: escaping a big batch's rows and parsing them back
 * costs more than the round trip it would save (measured: the venue directory's
 * 500-event batches applied 0.21× as fast as the raw baseline sent apart,
 * 0.16× inlined).
 */
const INLINE_MAX_CHARS = 8_192;

const isLarge = (write: Statement): boolean => {
  let size = write.text.length;
  for (const v of write.values ?? []) {
    if (typeof v === 'string') size += v.length;
    else if (Array.isArray(v)) for (const x of v) size += typeof x === 'string' ? x.length : 8;
    else size += 16;
    if (size > INLINE_MAX_CHARS) return true;
  }
  return false;
};

export async function batchTransaction<T>(
  dataSource: DataSource,
  opening: readonly Statement[],
  work: (tx: EntityManager, opened: StatementRows) => Promise<{ result: T; closing?: readonly DeferredWrite[] }>,
): Promise<T> {
  const qr = dataSource.createQueryRunner();
  let opened: StatementRows = [];
  let closing: readonly DeferredWrite[] = [];
  const plain = qr.query.bind(qr);
  const widened = async (statements: string[]) => {
    const client = await qr.connect();
    try {
      const results = await client.query(statements.join(';\n'));
      return (Array.isArray(results) ? results : [results]).map((r: { rows: Record<string, unknown>[] }) => r.rows);
    } catch (err) {
      throw new QueryFailedError(statements.join(';\n'), [], err as Error);
    }
  };
  // With an isolation level set, TypeORM's next statement must be SET TRANSACTION: nothing may come between.
  const widenBegin = opening.length > 0 && !dataSource.options.isolationLevel;
  qr.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (sql === 'START TRANSACTION' && widenBegin) {
      opened = (await widened([sql, ...opening.map(inlineStatement)])).slice(1);
      return structured ? { records: [], raw: [] } : [];
    }
    if (sql === 'COMMIT' && closing.length > 0) {
      // Up to the last large write, each goes on its own, with its parameters bound; the rest ride with COMMIT.
      const alone = closing.findLastIndex(isLarge) + 1;
      for (const write of closing.slice(0, alone)) {
        const rows = await plain(write.text, write.values ? [...write.values] : undefined);
        write.returned?.(rows);
      }
      const rest = closing.slice(alone);
      const rows = await widened([...rest.map(inlineStatement), sql]);
      rest.forEach((write, i) => write.returned?.(rows[i]));
      return structured ? { records: [], raw: [] } : [];
    }
    return plain(sql, parameters, structured as true);
  }) as QueryRunner['query'];

  try {
    await qr.startTransaction();
    if (!widenBegin) for (const { text, values } of opening) opened.push(await plain(text, values ? [...values] : undefined));
    const done = await work(qr.manager, opened);
    closing = done.closing ?? [];
    await qr.commitTransaction();
    return done.result;
  } catch (err) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await qr.release();
  }
}
