import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import { JsonLogger } from '@ripple/observability';
import { isAdmin, type Caller } from '../access/access';
import { SyncJobNotFoundError } from '../pets.errors';
import { ForceSync } from './force-sync';
import type { SyncOperation } from './sync-target';

const view = (r: Record<string, any>) => ({
  id: r.id, status: r.status, total: r.total, completed: r.completed, failed: r.failed,
  progress: { completed: r.completed + r.failed, total: r.total }, results: r.results,
  createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Batch sync: several force syncs run one after another as a job whose state
 * is a row, so progress (completed/total) is readable while it runs and a job
 * interrupted by a restart resumes where it stopped.
 */
@Injectable()
export class BatchSyncJobs implements OnApplicationBootstrap {
  constructor(private readonly dataSource: DataSource, private readonly force: ForceSync, private readonly logger: JsonLogger) {}

  async onApplicationBootstrap(): Promise<void> {
    const running = await this.dataSource.query(`SELECT id FROM pets.sync_jobs WHERE status = 'running' ORDER BY id`);
    for (const r of running) void this.run(r.id);
  }

  async start(caller: Caller, operations: SyncOperation[], correlationId: string) {
    const id = uuidv7();
    const [row] = await this.dataSource.query(
      `INSERT INTO pets.sync_jobs (id, status, operations, total, created_by, created_by_role, correlation_id) VALUES ($1, 'running', $2, $3, $4, $5, $6) RETURNING *`,
      [id, JSON.stringify(operations), operations.length, caller.sub, caller.role, correlationId],
    );
    void this.run(id);
    return view(row);
  }

  async get(caller: Caller, id: string) {
    const [row] = await this.dataSource.query('SELECT * FROM pets.sync_jobs WHERE id = $1', [id]);
    if (!row || (!isAdmin(caller) && row.created_by !== caller.sub)) throw new SyncJobNotFoundError(id);
    return view(row);
  }

  /** One runner per job across instances: a session advisory lock held for the job's duration. */
  private async run(id: string): Promise<void> {
    const lock = this.dataSource.createQueryRunner();
    try {
      await lock.connect();
      const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [`pets-sync-job:${id}`]);
      if (!locked) return;
      try {
        await this.runLocked(id);
      } finally {
        // The connection goes back to the pool: the session lock must not go with it.
        await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`pets-sync-job:${id}`]);
      }
    } catch (err) {
      this.logger.event('error', 'batch sync job interrupted', { jobId: id, error: (err as Error).message });
    } finally {
      await lock.release();
    }
  }

  private async runLocked(id: string): Promise<void> {
    const [job] = await this.dataSource.query('SELECT * FROM pets.sync_jobs WHERE id = $1', [id]);
    const caller = { sub: job.created_by, role: job.created_by_role };
    const ops: SyncOperation[] = job.operations;
    for (let i = job.completed + job.failed; i < ops.length; i++) {
      const ctx = { correlationId: job.correlation_id, causationId: `${id}:${i}`, actor: caller.sub };
      const result = await this.force.run(caller, ops[i], ctx).then(
        (r) => ({ ok: true, ...r, label: ops[i].label }),
        (err: Error & { code?: string }) => ({ ok: false, type: ops[i].type, targetId: ops[i].targetId, label: ops[i].label, error: { code: err.code ?? 'INTERNAL', message: err.message } }),
      );
      await this.dataSource.query(
        `UPDATE pets.sync_jobs SET ${result.ok ? 'completed = completed + 1' : 'failed = failed + 1'}, results = results || $2::jsonb, updated_at = now(),
           status = CASE WHEN completed + failed + 1 >= total THEN 'completed' ELSE status END WHERE id = $1`,
        [id, JSON.stringify([result])],
      );
    }
    if (ops.length === 0) await this.dataSource.query(`UPDATE pets.sync_jobs SET status = 'completed', updated_at = now() WHERE id = $1`, [id]);
  }
}
