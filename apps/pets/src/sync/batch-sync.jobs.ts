import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@ripple/contracts';
import { LeaderLease, leaseKey } from '@ripple/event-store';
import { JsonLogger } from '@ripple/observability';
import { SERVICE_CONFIG } from '@ripple/service-host';
import { isAdmin, type Caller } from '../access/access';
import type { PetsConfig } from '../pets.definition';
import { SyncJobNotFoundError } from '../pets.errors';
import { ForceSync } from './force-sync';
import { nextStep, retryAfter, type Retrying, type RetryPolicy } from './job-schedule';
import type { SyncOperation } from './sync-target';

type Result = { index: number; ok: boolean; attempts: number; type: string; targetId: string; label?: string; [k: string]: unknown };

const view = (r: Record<string, any>) => {
  const ops: SyncOperation[] = r.operations;
  const retrying = Object.entries(r.retrying as Record<string, Retrying>).map(([i, w]) => ({ index: Number(i), ...ops[Number(i)], ...w }));
  return {
    id: r.id, kind: r.kind, userId: r.user_id, status: r.status, total: r.total, completed: r.completed, failed: r.failed,
    progress: { completed: r.completed + r.failed, total: r.total }, operations: ops, results: r.results,
    retrying: retrying.sort((a, b) => a.index - b.index), failedOperations: (r.results as Result[]).filter((x) => !x.ok),
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
  };
};

/**
 * Batch and full sync: several force syncs run as a job whose state is a row,
 * so progress (completed/total) is readable while it runs and a job interrupted
 * by a restart resumes where it stopped. A failed operation waits and is tried
 * again with exponential backoff (its attempts and next retry time are shown)
 * while the others go on; after its last retry it is listed as failed.
 */
@Injectable()
export class BatchSyncJobs implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly policy: RetryPolicy;
  private readonly databaseUrl: string;
  private readonly waits = new Set<NodeJS.Timeout>();

  constructor(private readonly dataSource: DataSource, private readonly force: ForceSync, private readonly logger: JsonLogger, @Inject(SERVICE_CONFIG) config: PetsConfig) {
    this.policy = { retries: config.PETS_SYNC_RETRIES, backoffMs: config.PETS_SYNC_RETRY_BACKOFF_MS };
    this.databaseUrl = config.DATABASE_URL;
  }

  async onApplicationBootstrap(): Promise<void> {
    const running = await this.dataSource.query(`SELECT id FROM pets.sync_jobs WHERE status = 'running' ORDER BY id`);
    for (const r of running) void this.run(r.id);
  }

  onModuleDestroy(): void {
    for (const timer of this.waits) clearTimeout(timer);
  }

  async start(caller: Caller, operations: SyncOperation[], correlationId: string, full?: { userId: string }) {
    const id = uuidv7();
    const [row] = await this.dataSource.query(
      `INSERT INTO pets.sync_jobs (id, kind, user_id, status, operations, total, created_by, created_by_role, correlation_id)
       VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8) RETURNING *`,
      [id, full ? 'full' : 'batch', full?.userId ?? null, JSON.stringify(operations), operations.length, caller.sub, caller.role, correlationId],
    );
    void this.run(id);
    return view(row);
  }

  async get(caller: Caller, id: string) {
    const [row] = await this.dataSource.query('SELECT * FROM pets.sync_jobs WHERE id = $1', [id]);
    if (!row || (!isAdmin(caller) && row.created_by !== caller.sub)) throw new SyncJobNotFoundError(id);
    return view(row);
  }

  /** One runner per job across instances: the job's leader lease, held for its duration. */
  private async run(id: string): Promise<void> {
    const lease = new LeaderLease({ databaseUrl: this.databaseUrl, key: leaseKey('pets-sync-job', id) });
    try {
      if (await lease.tryAcquire()) await this.runLocked(id);
    } catch (err) {
      this.logger.event('error', 'batch sync job interrupted', { jobId: id, error: (err as Error).message });
    } finally {
      await lease.release();
    }
  }

  private async runLocked(id: string): Promise<void> {
    for (;;) {
      const [job] = await this.dataSource.query('SELECT * FROM pets.sync_jobs WHERE id = $1', [id]);
      const ops: SyncOperation[] = job.operations;
      const finished = new Set((job.results as Result[]).map((r, i) => r.index ?? i));
      const step = nextStep(ops.length, finished, job.retrying, Date.now());
      if (step === 'done') {
        await this.dataSource.query(`UPDATE pets.sync_jobs SET status = 'completed', updated_at = now() WHERE id = $1`, [id]);
        return;
      }
      if ('waitUntil' in step) {
        // Wait without holding the job's lock and connection; a restart meanwhile resumes the job at boot.
        const timer = setTimeout(() => {
          this.waits.delete(timer);
          void this.run(id);
        }, step.waitUntil - Date.now());
        this.waits.add(timer);
        return;
      }
      await this.attempt(job, step.run);
    }
  }

  private async attempt(job: Record<string, any>, index: number): Promise<void> {
    const op: SyncOperation = job.operations[index];
    const attempts = (job.retrying[index]?.attempts ?? 0) + 1;
    const caller = { sub: job.created_by, role: job.created_by_role };
    const ctx = { correlationId: job.correlation_id, causationId: `${job.id}:${index}`, actor: caller.sub };
    const outcome = await this.force.run(caller, op, ctx).then(
      (r) => ({ ok: true as const, ...r }),
      (err: Error & { code?: string }) => ({ ok: false as const, error: { code: err.code ?? 'INTERNAL', message: err.message } }),
    );
    const nextRetryAt = outcome.ok ? undefined : retryAfter(this.policy, attempts, Date.now());
    if (!outcome.ok && nextRetryAt) {
      const waiting: Retrying = { attempts, nextRetryAt, error: outcome.error };
      await this.dataSource.query(`UPDATE pets.sync_jobs SET retrying = retrying || $2::jsonb, updated_at = now() WHERE id = $1`, [job.id, JSON.stringify({ [index]: waiting })]);
      return;
    }
    const result: Result = { index, attempts, type: op.type, targetId: op.targetId, label: op.label, ...outcome };
    await this.dataSource.query(
      `UPDATE pets.sync_jobs SET ${outcome.ok ? 'completed = completed + 1' : 'failed = failed + 1'}, results = results || $2::jsonb,
         retrying = retrying - $3::text, updated_at = now() WHERE id = $1`,
      [job.id, JSON.stringify([result]), String(index)],
    );
  }
}
