import { QueryFailedError, type DataSource } from 'typeorm';
import { queryPipelinedOnPool, type PipelinedStatement } from './pipeline';

interface Waiting {
  statement: PipelinedStatement;
  resolve(rows: Record<string, unknown>[]): void;
  reject(err: unknown): void;
}

/** Per data source: the statements waiting for the group in flight to finish, and whether one is. */
const lines = new WeakMap<DataSource, { waiting: Waiting[]; running: boolean }>();

/** The most statements one group carries; the rest wait for the next. */
const MAX_GROUP = 64;

/**
 * Runs `text` as one transaction of its own, like a statement in autocommit, but
 * shares its round trip and its commit with the other callers of this process:
 * while a group is in flight, the statements that arrive wait, then go together,
 * in the order they came, as one pipeline with a single Sync, which PostgreSQL runs
 * as one implicit transaction (one write to the server, one wake-up of one backend,
 * one commit and one WAL flush for all of them). A statement that finds none in
 * flight goes at once, alone: nothing waits for company.
 *
 * A statement that fails (a unique violation, say) rolls back its whole group:
 * each statement of the group then runs again alone, so that it fails only its
 * own caller. That is done only when the server reported the error and rolled the
 * group back (severity ERROR); a lost connection rejects every caller of the group
 * with its error, as it would each of them alone, since a commit may then have
 * happened unseen. For the writes whose callers would otherwise each hold a pool
 * connection through their own commit (the commands' appends). Errors come as
 * TypeORM's QueryFailedError.
 */
export function queryGrouped<T = Record<string, unknown>>(dataSource: DataSource, text: string, values: readonly unknown[]): Promise<T[]> {
  const line = lines.get(dataSource) ?? lines.set(dataSource, { waiting: [], running: false }).get(dataSource)!;
  return new Promise<T[]>((resolve, reject) => {
    line.waiting.push({ statement: { text, values }, resolve: resolve as Waiting['resolve'], reject });
    if (!line.running) void drain(dataSource, line);
  });
}

async function drain(dataSource: DataSource, line: { waiting: Waiting[]; running: boolean }): Promise<void> {
  line.running = true;
  try {
    while (line.waiting.length > 0) await runGroup(dataSource, line.waiting.splice(0, MAX_GROUP));
  } finally {
    line.running = false;
  }
}

async function runGroup(dataSource: DataSource, group: Waiting[]): Promise<void> {
  let results: Record<string, unknown>[][];
  try {
    results = await queryPipelinedOnPool(dataSource, group.map((w) => w.statement));
  } catch (err) {
    if (group.length > 1 && rolledBack(err)) {
      for (const w of group) await runAlone(dataSource, w);
    } else {
      for (const w of group) w.reject(failed(w.statement, err));
    }
    return;
  }
  group.forEach((w, i) => w.resolve(results[i]));
}

async function runAlone(dataSource: DataSource, w: Waiting): Promise<void> {
  try {
    w.resolve((await queryPipelinedOnPool(dataSource, [w.statement]))[0]);
  } catch (err) {
    w.reject(failed(w.statement, err));
  }
}

/** The server refused a statement and the session goes on: the group's implicit transaction was rolled back at its Sync. */
const rolledBack = (err: unknown) => (err as { severity?: string }).severity === 'ERROR';

const failed = (statement: PipelinedStatement, err: unknown) => new QueryFailedError(statement.text, [...(statement.values ?? [])], err as Error);
