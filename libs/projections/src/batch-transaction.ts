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
  // With an isolation level set, TypeORM's next statement must be SET TRANSACTION: nothing may come between.
  const widenBegin = opening.length > 0 && !dataSource.options.isolationLevel;
  qr.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (sql === 'START TRANSACTION' && widenBegin) {
      opened = (await pipelined(qr, [{ text: sql }, ...opening])).slice(1);
      return noRows(structured);
    }
    if (sql === 'COMMIT' && closing.length > 0) {
      const rows = await pipelined(qr, [...closing, { text: sql }]);
      closing.forEach((write, i) => write.returned?.(rows[i]));
      return noRows(structured);
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

/**
 * A whole transaction in one round trip: BEGIN, the statements `prepare` returns and COMMIT
 * go in one pipeline, for work that needs nothing read first. `prepare` runs inside the
 * transaction as TypeORM sees it (so a write's `returned` may register an after-commit
 * wake-up on `tx`), but before anything is sent, and must not query; returning undefined
 * ends the transaction with nothing sent ('declined'). 'check failed' when a statement
 * failed (the transaction is then rolled back).
 */
export async function oneTripTransaction(
  dataSource: DataSource,
  prepare: (tx: EntityManager) => readonly DeferredWrite[] | undefined,
): Promise<'committed' | 'declined' | 'check failed'> {
  if (dataSource.options.isolationLevel) return 'declined';
  const qr = dataSource.createQueryRunner();
  let statements: readonly DeferredWrite[] = [];
  let sent = false;
  const plain = qr.query.bind(qr);
  qr.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    if (sql === 'START TRANSACTION') return noRows(structured);
    if (sql === 'COMMIT') {
      sent = true;
      const rows = await pipelined(qr, [{ text: 'START TRANSACTION' }, ...statements, { text: sql }]);
      statements.forEach((write, i) => write.returned?.(rows[i + 1]));
      return noRows(structured);
    }
    // Nothing to roll back while nothing was sent.
    if (sql === 'ROLLBACK' && !sent) return noRows(structured);
    if (!sent) throw new Error(`oneTripTransaction: prepare() must not query (it sent: ${sql.slice(0, 60)})`);
    return plain(sql, parameters, structured as true);
  }) as QueryRunner['query'];

  try {
    await qr.startTransaction();
    const prepared = prepare(qr.manager);
    if (!prepared) {
      await qr.rollbackTransaction();
      return 'declined';
    }
    statements = prepared;
    try {
      await qr.commitTransaction();
    } catch {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      return 'check failed';
    }
    return 'committed';
  } catch (err) {
    if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await qr.release();
  }
}

const noRows = (structured?: boolean) => (structured ? { records: [], raw: [] } : []);

/** `statements` in one round trip on the query runner's connection; errors come as TypeORM's QueryFailedError. */
async function pipelined(qr: QueryRunner, statements: readonly Statement[]): Promise<StatementRows> {
  const client = (await qr.connect()) as PoolClient;
  try {
    return await queryPipelined(client, statements);
  } catch (err) {
    throw new QueryFailedError(statements.map((st) => st.text).join(';\n'), [], err as Error);
  }
}
