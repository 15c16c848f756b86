import type { ClientBase, QueryResult } from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';
import { statementName } from './prepared';
// pg's own Query: it collects one result per statement and settles at ReadyForQuery;
// a pipeline only sends more than one statement before its Sync.
const Query = require('pg/lib/query') as new (config: { text?: string; callback: (err: Error | null, res?: QueryResult | QueryResult[]) => void }) => PgQuery;
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

interface PgQuery {
  submit(connection: PgConnection): Error | null;
}

interface PgConnection {
  stream: { cork?: () => void; uncork?: () => void };
  parse(msg: { text: string; name: string; types?: number[] }): void;
  bind(msg: { portal: string; statement: string; values: unknown[]; binary: boolean }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(msg: { portal: string; rows?: number }): void;
  close(msg: { type: 'S'; name: string }): void;
  sync(): void;
}

export interface PipelinedStatement {
  text: string;
  values?: readonly unknown[];
}

/**
 * Statements a connection has prepared under their pipeline names. Known only once a
 * pipeline that parsed them succeeded; one that failed leaves its new names unknown,
 * and the next pipeline closes (a no-op when absent) and parses them again.
 */
const prepared = new WeakMap<object, Set<string>>();
/** PostgreSQL's "prepared statement … does not exist". */
const INVALID_STATEMENT_NAME = '26000';
/** Past this many statements on one connection, new texts go unnamed: parsed every time, never kept. */
const MAX_PREPARED_PER_CONNECTION = 200;
/**
 * Runs `statements` in one round trip, in order, with the extended protocol: each
 * a named prepared statement with its values bound, one Sync after the last. So
 * PostgreSQL parses and plans each text once per connection (a generic plan after
 * five runs), where a multi-statement simple query parses and plans all of them on
 * every call and needs its values written in as literals. node-postgres sends one
 * statement per round trip; this is its own Query, sending several before the Sync.
 *
 * An error stops the rest (PostgreSQL skips to the Sync) and rejects; a transaction
 * the statements opened is then left aborted, for the caller to roll back. Resolves
 * to each statement's rows.
 */
export function queryPipelined(client: ClientBase, statements: readonly PipelinedStatement[]): Promise<Record<string, unknown>[][]> {
  // Values mapped to the wire before anything is sent: one that cannot be (a cycle in a JSON value, say) fails here.
  let bound: unknown[][];
  try {
    bound = statements.map((s) => (s.values ?? []).map((v) => prepareValue(v)));
  } catch (err) {
    return Promise.reject(err);
  }
  return new Promise((resolve, reject) => {
    let submitted: string[] = [];
    let known: Set<string> | undefined;
    const query = new Query({
      callback: (err, res) => {
        if (err) {
          // A statement of ours is gone from the connection (a DEALLOCATE or DISCARD ALL on it): forget them
          // all, so the next pipeline closes and parses each again instead of failing the same way for good.
          if ((err as { code?: string }).code === INVALID_STATEMENT_NAME) known?.clear();
          return reject(err);
        }
        for (const name of submitted) known!.add(name);
        const results = Array.isArray(res) ? res : [res!];
        resolve(results.map((r) => r.rows));
      },
    });
    // Sent when the client gets to it (after whatever it is running), as one write.
    query.submit = (connection: PgConnection) => {
      known = prepared.get(connection) ?? new Set();
      prepared.set(connection, known);
      submitted = [];
      connection.stream.cork?.();
      try {
        for (const [i, { text }] of statements.entries()) {
          // Apart from queryPrepared's names: pg tracks those per connection itself.
          let name = statementName(text, 'ripple_pl_');
          if (!known.has(name)) {
            if (known.size + submitted.length >= MAX_PREPARED_PER_CONNECTION) name = '';
            else {
              // A failed pipeline may have left it prepared: closing an absent statement is no error.
              connection.close({ type: 'S', name });
              submitted.push(name);
            }
            connection.parse({ text, name });
          }
          connection.bind({ portal: '', statement: name, values: bound[i], binary: false });
          connection.describe({ type: 'P', name: '' });
          connection.execute({ portal: '', rows: 0 });
        }
        connection.sync();
      } finally {
        connection.stream.uncork?.();
      }
      return null;
    };
    client.query(query as never);
  });
}

/** Set for the transaction it runs in alone (SET LOCAL): its commit returns without waiting for the WAL flush. */
const COMMIT_WITHOUT_FLUSH = "SELECT set_config('synchronous_commit', 'off', true)";

/**
 * Runs `text` as a prepared statement in an implicit transaction of its own whose
 * commit does not wait for the WAL to reach the disk (`synchronous_commit` off
 * for that transaction alone, sent in the same round trip; the connection goes
 * back to the pool with the server's setting). The write is visible at once and
 * durable within a few hundred milliseconds (the WAL writer's cycle), but a crash
 * of PostgreSQL in that time loses it. Only for writes whose loss is harmless by
 * design, none that anything is acknowledged after: the outbox relay's marks (a
 * lost mark is a republish the broker drops as a duplicate). Where a flush costs
 * a millisecond and, on a shared disk, now and then hundreds, such a write no
 * longer waits for one, nor makes the statement it rides with wait. Errors come as
 * TypeORM's QueryFailedError.
 */
export async function queryWithoutFlush<T = Record<string, unknown>>(dataSource: DataSource, text: string, values: readonly unknown[]): Promise<T[]> {
  try {
    const [, rows] = await queryPipelinedOnPool(dataSource, [{ text: COMMIT_WITHOUT_FLUSH }, { text, values }]);
    return rows as T[];
  } catch (err) {
    throw new QueryFailedError(text, [...values], err as Error);
  }
}

/** `queryPipelined` on a connection borrowed from the pool and given back; without a BEGIN, the statements are one implicit transaction. */
export async function queryPipelinedOnPool(dataSource: DataSource, statements: readonly PipelinedStatement[]): Promise<Record<string, unknown>[][]> {
  const qr = dataSource.createQueryRunner();
  try {
    return await queryPipelined((await qr.connect()) as ClientBase, statements);
  } finally {
    await qr.release();
  }
}
