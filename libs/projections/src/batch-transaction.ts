import { QueryFailedError, type DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import type { PoolClient } from 'pg';
import { queryPipelined } from '@ripple/event-store';
import type { DeferredWrite, Statement, StatementRows } from './projection';

/**
 * A transaction that costs no round trip of its own: BEGIN travels with the
 * work's first statements (`opening`) and COMMIT with its last (`closing`, each
 * handed its rows), each group sent at once as prepared statements with their
 * values bound (queryPipelined): PostgreSQL parses and plans each text once per
 * connection. On this kind of machine a round trip to PostgreSQL costs more CPU,
 * on both sides, than most statements it carries (the sender's write runs the
 * loopback's delivery and the wake-up), and parsing and planning cost more than
 * running the small statements of a batch.
 *
 * Every statement still runs on a snapshot of its own (READ COMMITTED takes
 * one per statement), so an opening statement that reads after one that takes
 * locks sees what the locks' last holder committed. TypeORM runs the
 * transaction as usual (its state, and subscribers such as notifyAfterCommit,
 * see BEGIN and COMMIT): only the two statements it sends for them are widened.
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
  const widened = async (statements: Statement[]) => {
    const client = (await qr.connect()) as PoolClient;
    try {
      return await queryPipelined(client, statements);
    } catch (err) {
      throw new QueryFailedError(statements.map((st) => st.text).join(';\n'), [], err as Error);
    }
  };
  // With an isolation level set, TypeORM's next statement must be SET TRANSACTION: nothing may come between.
  const widenBegin = opening.length > 0 && !dataSource.options.isolationLevel;
  qr.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (sql === 'START TRANSACTION' && widenBegin) {
      opened = (await widened([{ text: sql }, ...opening])).slice(1);
      return structured ? { records: [], raw: [] } : [];
    }
    if (sql === 'COMMIT' && closing.length > 0) {
      const rows = await widened([...closing, { text: sql }]);
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
