import { QueryFailedError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { inlineStatement, type DeferredWrite, type Statement, type StatementRows } from './projection';

/**
 * A transaction that costs no round trip of its own: BEGIN travels with the
 * work's first statements (`opening`) and COMMIT with its last (`closing`, each
 * handed its rows),
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
      const rows = await widened([...closing.map(inlineStatement), sql]);
      closing.forEach((write, i) => write.returned?.(rows[i]));
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
