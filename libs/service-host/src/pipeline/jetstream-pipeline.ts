import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { DataSource } from 'typeorm';
import { streamName, type BoundedContext, type DomainEvent } from '@ripple/contracts';
import type { Broker } from '@ripple/messaging';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { DeadLetterStore, durableName, ProjectionRunner, type Projection } from '@ripple/projections';
import { OutboxRelay } from '@ripple/relay';
import { BROKER, SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from '../definition';
import type { PipelineReport } from '../pipeline-report';
import { streamSettings } from '../service-vars';
import { isBatchProjection } from './batch-projection';
import { PipelineCheck } from './pipeline-check';
import { ReactorContext, type ReactorDefinition } from './reactor';

export const JETSTREAM = Symbol('JETSTREAM');

/**
 * A service's pipeline as a Nest microservice transport (a custom transport
 * strategy of @nestjs/microservices): `listen` starts the outbox relay (when the
 * app imports OutboxRelayModule) and one ProjectionRunner per projection, each on
 * its durable JetStream pull consumer; `close` drains them. The projections are
 * the app's `@BatchProjection()` providers and its reactors, the controllers'
 * `@EventPattern` handlers declared with `reactor(...).on(...)`, which Nest hands
 * to this transport like any other.
 *
 * An app context that never listens (the ops CLI) holds the same providers and
 * runs nothing.
 */
@Injectable()
export class JetStreamPipeline extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM;
  readonly deadLetters: DeadLetterStore;
  private runnerList: ProjectionRunner[] = [];
  private check?: PipelineCheck;
  private listed?: Projection[];
  private foundRelay?: { relay?: OutboxRelay };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BROKER) private readonly broker: Broker,
    @Inject(SERVICE_DEFINITION) private readonly def: ServiceDefinition,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly metrics: RippleMetrics,
    private readonly log: JsonLogger,
    private readonly discovery: DiscoveryService,
  ) {
    super();
    this.deadLetters = new DeadLetterStore(dataSource, def.schema, () => this.projections());
  }

  /** The outbox relay, when the app imports OutboxRelayModule. */
  get relay(): OutboxRelay | undefined {
    this.foundRelay ??= { relay: this.discovery.getProviders().find((w) => w.instance instanceof OutboxRelay)?.instance as OutboxRelay | undefined };
    return this.foundRelay.relay;
  }

  /** The runners of this instance (a standby's wait for the lease). */
  get runners(): readonly ProjectionRunner[] {
    return this.runnerList;
  }

  /** Every projection of the service: its batch projections, then its reactors. Known once the app is initialized. */
  projections(): Projection[] {
    if (this.listed) return this.listed;
    const batch = this.discovery.getProviders().map((w) => w.instance as Projection).filter(isBatchProjection);
    const all = [...batch, ...this.reactors()];
    const names = all.map((p) => p.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`${this.def.name}: two projections named "${twice}"`);
    return (this.listed = all);
  }

  /** The pipeline figures this service exports at /metrics, as one JSON object, each read now. */
  async report(): Promise<PipelineReport> {
    const pending = async (p: Projection): Promise<number | null> => {
      try {
        const info = await this.broker.jsm.consumers.info(streamName(this.config.RIPPLE_NAMESPACE, p.source), durableName(this.def.name, p.name));
        return info.num_pending + info.num_ack_pending;
      } catch {
        return null;
      }
    };
    const projections = await Promise.all(
      this.projections().map(async (p) => ({
        name: p.name, source: p.source, lag: await pending(p), deadLetters: await this.deadLetters.openCount(p.name),
        leader: this.runnerList.some((r) => r.projection.name === p.name && r.isLeader),
      })),
    );
    const relay = this.relay;
    // Reading the gauge runs its collect: the relay's count of unpublished events, as a scrape would.
    const backlog = relay ? (await this.metrics.outboxBacklog.get()).values[0]?.value ?? null : null;
    return { service: this.def.name, outboxBacklog: backlog, relayLeader: relay?.isLeader ?? null, projections, readModels: (this.def.readModels ?? []).map((m) => m.name) };
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      const projections = this.projections();
      this.runnerList = projections.map((p) => this.runnerFor(p));
      const relay = this.relay;
      const contexts = [...new Set<BoundedContext>([...(this.def.publishes ? [this.def.publishes] : []), ...projections.map((p) => p.source)])];
      this.check = new PipelineCheck(this.broker, relay, this.runnerList, { namespace: this.config.RIPPLE_NAMESPACE, contexts, streams: streamSettings(this.config), intervalMs: this.config.PIPELINE_CHECK_MS }, this.metrics, this.log);
      await relay?.start();
      for (const r of this.runnerList) await r.start();
      for (const r of this.runnerList) await r.refreshDeadLetterGauge();
      this.check.start();
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** A runner of one of the service's projections, with the service's settings (not started). */
  runnerFor(projection: Projection): ProjectionRunner {
    return new ProjectionRunner(this.dataSource, this.broker, projection, this.deadLetters, {
      app: this.def.name,
      schema: this.def.schema,
      namespace: this.config.RIPPLE_NAMESPACE,
      databaseUrl: this.config.DATABASE_URL,
      deadLetterAfter: this.config.DEAD_LETTER_AFTER,
      backoffBaseMs: this.config.RETRY_BACKOFF_MS,
      backoffMaxMs: this.config.RETRY_BACKOFF_MAX_MS,
      batchSize: this.config.PROJECTION_BATCH_SIZE,
      streams: streamSettings(this.config),
    }, this.metrics, this.log);
  }

  /** Graceful: stops consuming and finishes the batches in flight, then stops the relay. */
  async close(): Promise<void> {
    await this.check?.stop();
    await Promise.all(this.runnerList.map((r) => r.stop()));
    await this.relay?.stop();
  }

  on(): never {
    throw new Error('JetStreamPipeline has no events to listen to');
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  /** The reactors: the handlers Nest registered with this transport, grouped by the reactor their pattern names. */
  private reactors(): Projection[] {
    const byReactor = new Map<string, { definition: ReactorDefinition; handlers: Map<string, MessageHandler[]> }>();
    for (const [pattern, head] of this.getHandlers()) {
      for (let h: MessageHandler | undefined = head; h; h = h.next as MessageHandler | undefined) {
        const definition = h.extras?.reactor as ReactorDefinition | undefined;
        if (!definition) throw new Error(`${this.def.name}: an @EventPattern handler (${pattern}) that is not declared with reactor(...).on(...)`);
        const { event } = JSON.parse(pattern) as { event: string };
        const entry = byReactor.get(definition.name) ?? byReactor.set(definition.name, { definition, handlers: new Map() }).get(definition.name)!;
        const type = event.slice(definition.source.length + 1);
        entry.handlers.set(type, [...(entry.handlers.get(type) ?? []), h]);
      }
    }
    return [...byReactor.values()].map(({ definition, handlers }) => this.reactorProjection(definition, handlers));
  }

  private reactorProjection(definition: ReactorDefinition, handlers: Map<string, MessageHandler[]>): Projection {
    const every = handlers.get('*') ?? [];
    const transform = (r: unknown) => lastValueFrom(this.transformToObservable(r), { defaultValue: undefined });
    return {
      name: definition.name,
      source: definition.source,
      tables: definition.tables,
      // An event no handler is declared for.
      ignores: (e: DomainEvent) => every.length === 0 && !handlers.has(e.type),
      async apply(tx, events: DomainEvent[], tables, mode) {
        for (const e of events) {
          const ctx = new ReactorContext([tx, tables, mode]);
          for (const handle of [...(handlers.get(e.type) ?? []), ...every]) await transform(await handle(e, ctx));
        }
      },
    };
  }
}
