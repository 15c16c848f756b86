import { randomUUID } from 'node:crypto';
import type { ConfigSpec } from '@ripple/config';
import { replayProjection, type ReplayProgress } from '@ripple/projections';
import { ProjectionNotFoundError, ReplayNotFoundError, ReplayRunningError } from './ops.errors';
import type { ServiceRuntime } from './runtime';

export interface ReplayJob {
  id: string;
  projection: string;
  status: 'running' | 'done' | 'failed';
  phase: ReplayProgress['phase'] | 'starting';
  /** Events applied so far, of `total` (the stream's last sequence when the phase began). */
  applied: number;
  total: number;
  startedAt: string;
  finishedAt?: string;
  /** The stream sequence of the last event applied, once done. */
  lastSequence?: number;
  error?: string;
}

/** The most recent replays kept for their progress and outcome. */
const KEPT = 20;

/**
 * Blue/green rebuilds run inside the service (the live runner keeps serving;
 * see `replayProjection`), one at a time per projection, their progress held in
 * memory for operators to poll.
 */
export class ReplayJobs {
  private readonly jobs = new Map<string, ReplayJob>();

  constructor(private readonly rt: ServiceRuntime<ConfigSpec>) {}

  start(name: string): ReplayJob {
    const projections = this.rt.definition.projections ?? [];
    const projection = projections.find((p) => p.name === name);
    if (!projection) throw new ProjectionNotFoundError(name, this.rt.definition.name, projections.map((p) => p.name));
    const running = [...this.jobs.values()].find((j) => j.projection === name && j.status === 'running');
    if (running) throw new ReplayRunningError(name, running.id);
    const job: ReplayJob = { id: randomUUID(), projection: name, status: 'running', phase: 'starting', applied: 0, total: 0, startedAt: new Date().toISOString() };
    this.keep(job);
    const { dataSource, broker, definition, config, logger } = this.rt;
    logger.event('info', 'replay started', { projection: name, replayId: job.id });
    replayProjection(dataSource, broker, projection, {
      schema: definition.schema,
      namespace: config.RIPPLE_NAMESPACE,
      onProgress: (p) => Object.assign(job, { phase: p.phase, applied: p.applied, total: p.total }),
    }).then(
      (lastSequence) => {
        Object.assign(job, { status: 'done', lastSequence, finishedAt: new Date().toISOString() });
        logger.event('info', 'replay done', { projection: name, replayId: job.id, lastSequence });
      },
      (err: Error) => {
        Object.assign(job, { status: 'failed', error: err.message, finishedAt: new Date().toISOString() });
        logger.event('error', 'replay failed', { projection: name, replayId: job.id, error: err.message });
      },
    );
    return { ...job };
  }

  get(id: string): ReplayJob {
    const job = this.jobs.get(id);
    if (!job) throw new ReplayNotFoundError(id);
    return { ...job };
  }

  list(): ReplayJob[] {
    return [...this.jobs.values()].reverse().map((j) => ({ ...j }));
  }

  private keep(job: ReplayJob): void {
    this.jobs.set(job.id, job);
    for (const old of this.jobs.values()) {
      if (this.jobs.size <= KEPT) break;
      if (old.status !== 'running') this.jobs.delete(old.id);
    }
  }
}
