import type { DataSource } from 'typeorm';
import type { EntityPhase } from '@ripple/contracts';
import type { JsonLogger } from '@ripple/observability';
import type { ConnectorDefinition, EntityDefinition, EntityTracker, RunInfo } from '../connector';
import { errorClassOf, noteConflict, noteFailure, noteRetry, skipUnfinished, type EntityProgress } from './run-progress';
import type { RunEventStream } from './run-events';
import type { RunMetrics } from './run-metrics';
import type { RetryNotice } from '../http/upstream-client';
import type { RunStore, RunView } from './run.store';

export interface Execution {
  connector: ConnectorDefinition<unknown>;
  levels: EntityDefinition[][];
  run: RunView;
  stream: RunEventStream;
  store: RunStore;
  db: DataSource;
  logger: JsonLogger;
  metrics: RunMetrics;
  signal: AbortSignal;
}

interface EntityFailure {
  entity: string;
  cause: unknown;
}

/** Some entities of one level failed: each with its own cause, in declaration order. */
class LevelFailedError extends Error {
  constructor(readonly failures: EntityFailure[]) {
    super(failures.map((f) => `${f.entity}: ${(f.cause as Error)?.message ?? String(f.cause)}`).join('; '));
  }
}

/** How often, at most, a running run's row is rewritten with page-level progress. */
const SAVE_EVERY_MS = 250;

/**
 * One run: fetch (and stage) level by level, then transform level by level,
 * the entities of a level in parallel; then let the connector complete (for
 * the catalog: validate and switch). Any failure stops the run before
 * `complete`, so nothing is switched; the run record says which entity failed and why.
 */
export async function executeRun(x: Execution): Promise<void> {
  const { connector, run, store } = x;
  const started = Date.now();
  const saver = progressSaver(x);
  const entities = x.levels.flat().map((e) => e.name);
  const cursors = new Map<string, string>();
  const retried = (p: EntityProgress, notice: RetryNotice) => {
    noteRetry(p, notice, new Date());
    x.metrics.retried(connector.name, notice.errorClass);
    saver.soon();
  };
  x.metrics.started(connector.name);
  try {
    const since = run.mode === 'incremental' ? await store.cursors(connector.name, entities) : {};
    for (const [e, cursor] of Object.entries(since)) run.entities[e].since = cursor;
    const info: RunInfo = {
      runId: run.id, connector: connector.name, trigger: run.trigger, signal: x.signal, entities, mode: run.mode, filters: run.filters, since,
      track: (e) => tracker(run.entities[e], saver.soon, retried),
    };
    const plan = await connector.prepare(info);
    const fetch = connector.fetch?.bind(connector);
    for (const level of fetch ? x.levels : []) {
      await eachInParallel(level, async (e) => {
        const p = run.entities[e.name];
        p.status = 'fetching';
        const t0 = Date.now();
        const pages = fetch!(e.name, { runId: run.id, cursor: since[e.name] ?? null, signal: x.signal, onRetry: (n) => retried(p, n) });
        for await (const page of pages) {
          p.pages += 1;
          await connector.stage?.(e.name, page, p.pages, plan, info);
          p.fetched += page.records.length;
          x.metrics.fetched(connector.name, e.name, page.records.length);
          p.total = page.total ?? p.total;
          if (page.cursor) cursors.set(e.name, page.cursor);
          p.fetchMs = Date.now() - t0;
          saver.soon();
        }
        await connector.staged?.(e.name, plan, info);
        p.status = 'fetched';
        p.fetchMs = Date.now() - t0;
        await saver.phase(p, 'fetched');
      });
    }
    for (const level of x.levels) {
      await eachInParallel(level, async (e) => {
        const p = run.entities[e.name];
        p.status = 'transforming';
        const t0 = Date.now();
        p.transformed = await connector.transform(e.name, plan, info);
        p.status = 'transformed';
        p.transformMs = Date.now() - t0;
        await saver.phase(p, 'transformed');
      });
    }
    await connector.complete(plan, info);
    await saver.settled();
    run.status = 'succeeded';
    run.finishedAt = new Date().toISOString();
    const records = Object.values(run.entities).reduce((n, p) => n + p.fetched, 0);
    run.summary = { durationMs: Date.now() - started, records, recordsPerSecond: Math.round(records / Math.max(0.001, (Date.now() - started) / 1000)) };
    await x.stream.append({ type: 'ConnectorRunSucceeded', data: { connector: connector.name, durationMs: Date.now() - started, records } }, async (tx) => {
      await store.finish(tx, run);
      await store.saveCursors(tx, connector.name, cursors);
    });
    x.metrics.finished(connector.name, 'succeeded', Date.now() - started);
  } catch (err) {
    await saver.settled();
    x.metrics.finished(connector.name, 'failed', Date.now() - started);
    const failures = err instanceof LevelFailedError ? err.failures : [];
    const now = new Date();
    for (const f of failures) noteFailure(run.entities[f.entity], f.cause, now);
    const entity = failures[0]?.entity ?? null;
    const cause = failures[0]?.cause ?? err;
    skipUnfinished(run.entities, failures.length ? `${failures.map((f) => f.entity).join(', ')} failed` : `the run failed: ${(cause as Error)?.message ?? String(cause)}`);
    run.status = 'failed';
    run.finishedAt = new Date().toISOString();
    run.error = { errorClass: errorClassOf(cause), entity, message: (cause as Error)?.message ?? String(cause) };
    x.logger.event('warn', 'connector run failed', { runId: run.id, connector: connector.name, entity, error: run.error.message });
    await x.stream.append(
      { type: 'ConnectorRunFailed', data: { connector: connector.name, durationMs: Date.now() - started, entity, errorClass: run.error.errorClass, message: run.error.message } },
      (tx) => store.finish(tx, run),
    );
  }
}

function tracker(p: EntityProgress, soon: () => void, retried: (p: EntityProgress, notice: RetryNotice) => void): EntityTracker {
  return {
    total: (n) => ((p.total = n), soon()),
    count: (outcome, n = 1) => {
      p.counts = { ...p.counts, [outcome]: (p.counts?.[outcome] ?? 0) + n };
      soon();
    },
    retry: (notice) => retried(p, notice),
    conflict: (c) => (noteConflict(p, c), soon()),
  };
}

/** Runs one level's entities together; waits for all, then reports every failure (in declaration order). */
async function eachInParallel(level: EntityDefinition[], work: (e: EntityDefinition) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(level.map((e) => work(e)));
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ entity: level[i].name, cause: r.reason as unknown }] : []));
  if (failures.length) throw new LevelFailedError(failures);
}

/** Writes of the run row are chained (never reordered) and page-level ones are throttled. */
function progressSaver(x: Execution) {
  let chain: Promise<unknown> = Promise.resolve();
  let lastSave = 0;
  const enqueue = (write: () => Promise<unknown>) => {
    chain = chain.then(write).catch((err) => x.logger.event('warn', 'could not save run progress', { runId: x.run.id, error: (err as Error).message }));
    return chain;
  };
  return {
    soon(): void {
      if (Date.now() - lastSave < SAVE_EVERY_MS) return;
      lastSave = Date.now();
      const snapshot = structuredClone(x.run.entities);
      void enqueue(() => x.store.saveProgress(x.run.id, snapshot));
    },
    /** An entity finished a phase: saved and published as an event, in one transaction. */
    async phase(p: EntityProgress, phase: EntityPhase): Promise<void> {
      const snapshot = structuredClone(x.run.entities);
      const data = { connector: x.connector.name, entity: p.entity, phase, fetched: p.fetched, transformed: p.transformed, total: p.total, durationMs: phase === 'fetched' ? p.fetchMs : p.transformMs };
      await enqueue(() => x.stream.append({ type: 'ConnectorEntityProgressed', data }, (tx) => x.store.saveProgress(x.run.id, snapshot, tx)));
    },
    settled: () => chain,
  };
}
