import type { DataSource } from 'typeorm';
import { uuidv7, type RunTrigger } from '@ripple/contracts';
import { LeaderLease, leaseKey, type EventStore } from '@ripple/event-store';
import type { JsonLogger } from '@ripple/observability';
import type { ConnectorDefinition, RunOptions } from '../connector';
import { topologicalLevels } from '../dag';
import { RunInProgressError, UnknownConnectorError } from './run.errors';
import { RunEventStream } from './run-events';
import { executeRun } from './run-execution';
import { initialProgress } from './run-progress';
import type { RunMetrics } from './run-metrics';
import { RunStore, type RunView } from './run.store';

/**
 * Starts runs: one at a time per connector (a leader lease held for the run, across instances),
 * recorded as rows and events, executed in the background. Also lends the lock
 * to other operations that must not overlap a run (a catalog rollback).
 */
export class ConnectorRuns {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly aborts = new Set<AbortController>();

  constructor(
    private readonly db: DataSource,
    /** For the run leases' own connections. */
    private readonly databaseUrl: string,
    private readonly events: EventStore,
    readonly store: RunStore,
    private readonly logger: JsonLogger,
    private readonly metrics: RunMetrics,
    private readonly connectors: readonly ConnectorDefinition<any>[],
  ) {
    for (const c of connectors) topologicalLevels(c.entities); // a cycle fails at boot, not at the first run
  }

  connector(name: string): ConnectorDefinition<unknown> {
    const found = this.connectors.find((c) => c.name === name);
    if (!found) throw new UnknownConnectorError(name);
    return found;
  }

  /** Returns the run as started (status running); throws RunInProgressError naming the run in the way. */
  async start(name: string, trigger: RunTrigger, opts: RunOptions = {}): Promise<RunView> {
    const connector = this.connector(name);
    const lock = await this.lock(connector.lockKey ?? name);
    try {
      const abandoned = await this.store.abandonRunning(name);
      if (abandoned) this.logger.event('warn', 'marked runs of a stopped process as failed', { connector: name, runs: abandoned });
      const levels = topologicalLevels(onlyEntities(connector.entities, opts.only));
      const run: RunView = {
        id: uuidv7(), connector: name, trigger, mode: opts.mode ?? 'full', filters: opts.filters ?? null, status: 'running', entities: initialProgress(levels), error: null, summary: null,
        startedAt: new Date().toISOString(), finishedAt: null,
      };
      const stream = new RunEventStream(this.db, this.events, run.id);
      await stream.append(
        { type: 'ConnectorRunStarted', data: { connector: name, trigger, entities: levels.flat().map((e) => e.name) } },
        async () => this.store.insert(run),
      );
      const abort = new AbortController();
      this.aborts.add(abort);
      const done = executeRun({ connector, levels, run, stream, store: this.store, db: this.db, logger: this.logger, metrics: this.metrics, signal: abort.signal })
        .catch((err) => this.logger.event('error', 'run crashed', { runId: run.id, error: (err as Error).message }))
        .finally(async () => {
          this.aborts.delete(abort);
          await lock.release().catch(() => undefined);
        });
      this.track(done);
      return { ...run, entities: structuredClone(run.entities) };
    } catch (err) {
      await lock.release();
      throw err;
    }
  }

  /** Runs `fn` holding the connector's lock, or throws RunInProgressError. */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const lock = await this.lock(name);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /** Shutdown: abort what is running (it fails and switches nothing) and wait for it to record that. */
  async stop(): Promise<void> {
    for (const a of this.aborts) a.abort(new Error('the service is shutting down'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Held for the whole run on a connection of its own; the server lets it go if this process dies, so a crashed run never blocks the next one. */
  private async lock(key: string): Promise<LeaderLease> {
    const lock = new LeaderLease({ databaseUrl: this.databaseUrl, key: leaseKey('connector-run', key) });
    if (!(await lock.tryAcquire())) {
      await lock.release();
      const holders = this.connectors.filter((c) => (c.lockKey ?? c.name) === key);
      const running = await Promise.all(holders.map((c) => this.store.runningId(c.name)));
      throw new RunInProgressError(key, running.find(Boolean) ?? null);
    }
    return lock;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}

/** A run of some entities only: dependencies outside the subset are taken as already imported. */
function onlyEntities<T extends { name: string; dependsOn: readonly string[] }>(all: readonly T[], only?: readonly string[]): T[] {
  if (!only) return [...all];
  const keep = new Set(only);
  return all.filter((e) => keep.has(e.name)).map((e) => ({ ...e, dependsOn: e.dependsOn.filter((d) => keep.has(d)) }));
}
