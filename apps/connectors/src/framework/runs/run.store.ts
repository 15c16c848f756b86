import type { DataSource, EntityManager } from 'typeorm';
import type { RunTrigger, UpstreamErrorClass } from '@ripple/contracts';
import type { RunMode } from '../connector';
import { RunNotFoundError } from './run.errors';
import type { RunProgress } from './run-progress';

export type RunStatus = 'running' | 'succeeded' | 'failed';

export interface RunView {
  id: string;
  connector: string;
  trigger: RunTrigger;
  /** Which kind of run: everything, or only what changed (since the stored cursors, or matching `filters`). */
  mode: RunMode;
  filters: Record<string, string> | null;
  status: RunStatus;
  entities: RunProgress;
  error: { errorClass: UpstreamErrorClass; entity: string | null; message: string } | null;
  summary: Record<string, unknown> | null;
  startedAt: string;
  finishedAt: string | null;
}

const toView = (r: Record<string, any>): RunView => ({
  id: r.id, connector: r.connector, trigger: r.trigger, mode: r.mode, filters: r.filters, status: r.status, entities: r.entities, error: r.error, summary: r.summary,
  startedAt: r.started_at.toISOString(), finishedAt: r.finished_at?.toISOString() ?? null,
});

/** Runs as rows: what GET /api/connectors/runs shows, kept up to date while a run goes. */
export class RunStore {
  constructor(private readonly db: DataSource) {}

  async insert(run: RunView): Promise<void> {
    await this.db.query(
      `INSERT INTO connectors.connector_runs (id, connector, trigger, mode, filters, status, entities, started_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, now())`,
      [run.id, run.connector, run.trigger, run.mode, run.filters && JSON.stringify(run.filters), JSON.stringify(run.entities), run.startedAt],
    );
  }

  /**
   * A run left 'running' by a process that died: only called while holding the
   * connector's lock. Its unfinished entities are skipped, as skipUnfinished does.
   */
  async abandonRunning(connector: string): Promise<number> {
    const rows = await this.db.query(
      `UPDATE connectors.connector_runs SET status = 'failed', finished_at = now(), updated_at = now(),
         error = jsonb_build_object('errorClass', 'internal', 'entity', null, 'message', $2::text),
         entities = (SELECT jsonb_object_agg(k, CASE WHEN v->>'status' IN ('failed', 'transformed') THEN v
                       ELSE v || jsonb_build_object('status', 'skipped', 'skippedBecause', $2::text) END) FROM jsonb_each(entities) AS e(k, v))
       WHERE connector = $1 AND status = 'running' RETURNING id`,
      [connector, 'abandoned: the process running it stopped'],
    );
    return rows.length;
  }

  async saveProgress(id: string, entities: RunProgress, tx: EntityManager | DataSource = this.db): Promise<void> {
    await tx.query('UPDATE connectors.connector_runs SET entities = $2, updated_at = now() WHERE id = $1', [id, JSON.stringify(entities)]);
  }

  async finish(tx: EntityManager, run: RunView): Promise<void> {
    await tx.query(
      'UPDATE connectors.connector_runs SET status = $2, entities = $3, error = $4, summary = $5, finished_at = $6, updated_at = now() WHERE id = $1',
      [run.id, run.status, JSON.stringify(run.entities), run.error && JSON.stringify(run.error), run.summary && JSON.stringify(run.summary), run.finishedAt],
    );
  }

  async runningId(connector: string): Promise<string | null> {
    const [row] = await this.db.query(`SELECT id FROM connectors.connector_runs WHERE connector = $1 AND status = 'running' ORDER BY started_at DESC LIMIT 1`, [connector]);
    return row?.id ?? null;
  }

  async get(id: string): Promise<RunView> {
    const [row] = await this.db.query('SELECT * FROM connectors.connector_runs WHERE id = $1', [id]);
    if (!row) throw new RunNotFoundError(id);
    return toView(row);
  }

  async list(q: { connector?: string; status?: RunStatus; limit: number }): Promise<RunView[]> {
    const rows = await this.db.query(
      `SELECT * FROM connectors.connector_runs WHERE ($1::text IS NULL OR connector = $1) AND ($2::text IS NULL OR status = $2)
       ORDER BY started_at DESC, id DESC LIMIT $3`,
      [q.connector ?? null, q.status ?? null, q.limit],
    );
    return rows.map(toView);
  }

  /** Each entity's stored cursor, null where there is none. */
  async cursors(connector: string, entities: readonly string[]): Promise<Record<string, string | null>> {
    const rows: { entity: string; cursor: string }[] = await this.db.query('SELECT entity, cursor FROM connectors.connector_cursors WHERE connector = $1 AND entity = ANY($2)', [connector, entities]);
    return Object.fromEntries(entities.map((e) => [e, rows.find((r) => r.entity === e)?.cursor ?? null]));
  }

  async saveCursors(tx: EntityManager, connector: string, cursors: Map<string, string>): Promise<void> {
    if (!cursors.size) return;
    await tx.query(
      `INSERT INTO connectors.connector_cursors (connector, entity, cursor, updated_at) SELECT $1, e, c, now() FROM unnest($2::text[], $3::text[]) AS x(e, c)
       ON CONFLICT (connector, entity) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`,
      [connector, [...cursors.keys()], [...cursors.values()]],
    );
  }
}
