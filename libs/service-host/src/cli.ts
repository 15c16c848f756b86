import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '@ripple/event-store';
import { SERVICE_DEFINITION, type ServiceDefinition } from './definition';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import { ReplayJobs } from './replay-jobs';

/**
 * One app's providers, built (its database migrated, NATS connected) but not
 * started: no lifecycle hook runs (no schedule, no seeding) and the pipeline
 * does not listen; its reactors are registered so its projections are known.
 * For tools that work on a service's data from a process of their own (the ops
 * CLI, the bench); `close()` releases it.
 */
export async function createServiceContext(appModule: Type): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(appModule, {
    logger: false,
    abortOnError: false,
    useFactory: (pipeline: JetStreamPipeline) => ({ strategy: pipeline }),
    inject: [JetStreamPipeline],
  } as never);
  (app as unknown as { registerListeners(): void }).registerListeners();
  return app;
}

/**
 * scripts/ops.js, in a process of its own with a service's own settings (no
 * gateway needed; `npx ripple` asks the running services instead).
 * `replay <projection>`: rebuilds a projection (or a read model the service
 * writes with its events) blue/green while the live one keeps serving, printing
 * progress. `republish <service|all> [fromPosition]`:
 * puts a service's (or every service's) events back in its outbox so its relay sends
 * them again (after broker data loss; relays also do it by themselves when they
 * notice); the service must be running (or started) to publish them.
 */
export async function runOpsCli(appModules: Type[], argv: string[]): Promise<number> {
  const [command, target, arg] = argv;
  if (command === 'replay' && target) {
    const known: string[] = [];
    for (const m of appModules) {
      const app = await createServiceContext(m);
      try {
        const jobs = app.get(ReplayJobs);
        known.push(...jobs.replayableNames());
        const rebuild = jobs.rebuildOf(target);
        if (!rebuild) continue;
        const started = Date.now();
        let last = 0;
        const events = await rebuild((p) => {
          if (Date.now() - last < 500 && p.phase !== 'swapped') return;
          last = Date.now();
          const pct = p.total ? ((100 * p.applied) / p.total).toFixed(1) : '100.0';
          process.stderr.write(`${p.projection}: ${p.phase} ${p.applied}/${p.total} (${pct}%)\n`);
        });
        const seconds = (Date.now() - started) / 1000;
        process.stdout.write(`${target} rebuilt from ${events} events in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)\n`);
        return 0;
      } finally {
        await app.close();
      }
    }
    return usage(`no projection named "${target}"; known: ${known.join(', ')}`);
  }
  if (command === 'republish' && target) {
    if (arg !== undefined && !/^\d+$/.test(arg)) return usage(`fromPosition must be a whole number, got "${arg}"`);
    const publishing: string[] = [];
    for (const m of appModules) {
      const app = await createServiceContext(m);
      try {
        const def = app.get<ServiceDefinition>(SERVICE_DEFINITION);
        if (!def.publishes) continue;
        publishing.push(def.name);
        if (target !== 'all' && target !== def.name) continue;
        const store = app.get(EventStore);
        const n = await app.get(DataSource).transaction((tx) => store.scheduleRepublish(tx, Number(arg ?? 0)));
        process.stdout.write(`${n} events of ${def.name} marked for republishing\n`);
        if (target !== 'all') return 0;
      } finally {
        await app.close();
      }
    }
    return target === 'all' ? 0 : usage(`no publishing service named "${target}"; known: all, ${publishing.join(', ')}`);
  }
  return usage();
}

function usage(problem?: string): number {
  if (problem) process.stderr.write(`${problem}\n`);
  process.stderr.write('usage: node scripts/ops.js replay <projection>\n       node scripts/ops.js republish <service|all> [fromPosition]\n(npx ripple does the same through a running gateway)\n');
  return 2;
}
