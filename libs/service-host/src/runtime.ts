import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { BoundedContext } from '@ripple/contracts';
import { loadConfig, type ConfigSpec, type LoadedConfig } from '@ripple/config';
import { addEventTraceparent, createOutboxStreamsTable, EventStore, OutboxRelay } from '@ripple/event-store';
import { connectBroker, ensureStream, pingBroker, type Broker } from '@ripple/messaging';
import { JsonLogger, RippleMetrics, startTracing, type HealthCheck, type Tracing } from '@ripple/observability';
import { DeadLetterStore, ProjectionRunner, type Projection, type StoredReadModel } from '@ripple/projections';
import { PipelineCheck } from './pipeline-check';
import { streamSettings, type ServiceHostConfig } from './service-vars';

export interface ServiceDefinition<S extends ConfigSpec> {
  /** App name: log field, metrics label, durable prefix. */
  name: string;
  /** The PostgreSQL schema this service owns. */
  schema: string;
  config: S;
  /** The bounded context whose stream this service publishes to, if it appends events. */
  publishes?: BoundedContext;
  migrations: (new () => MigrationInterface)[];
  projections?: Projection[];
  /** Tables the service writes with its events and rebuilds from its own event store (replayed like projections). */
  readModels?: StoredReadModel[];
}

/** Everything a running service holds: built once at boot, closed once at shutdown. */
export interface ServiceRuntime<S extends ConfigSpec> {
  definition: ServiceDefinition<S>;
  config: LoadedConfig<S>['values'] & ServiceHostConfig;
  logger: JsonLogger;
  metrics: RippleMetrics;
  dataSource: DataSource;
  broker: Broker;
  eventStore: EventStore;
  relay?: OutboxRelay;
  deadLetters: DeadLetterStore;
  runners: ProjectionRunner[];
  pipelineCheck: PipelineCheck;
  healthChecks: HealthCheck[];
  /** Set when OTEL_EXPORTER_OTLP_ENDPOINT is. */
  tracing?: Tracing;
}

export async function createRuntime<S extends ConfigSpec>(def: ServiceDefinition<S>, env = process.env): Promise<ServiceRuntime<S>> {
  const loaded = loadConfig(def.config, env);
  const config = loaded.values as ServiceRuntime<S>['config'];
  const logger = new JsonLogger(def.name, config.LOG_LEVEL);
  for (const name of loaded.devDefaultsUsed) logger.event('warn', `${name} is not set: using its development default (refused when NODE_ENV=production)`);
  const metrics = new RippleMetrics(def.name);
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? startTracing({ serviceName: config.OTEL_SERVICE_NAME || def.name, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, scheduleDelayMs: config.OTEL_BSP_SCHEDULE_DELAY })
    : undefined;

  await ensureSchema(config.DATABASE_URL, def.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    schema: def.schema,
    migrationsTableName: 'migrations',
    migrations: [...def.migrations, ...(def.publishes ? [outboxStreamsMigration(def.schema), eventTraceparentMigration(def.schema)] : [])],
    synchronize: false,
    logging: false,
    // A bounded wait for a connection: while PostgreSQL is unreachable a request fails (503) instead of hanging.
    extra: { max: 10, application_name: `ripple-${def.name}`, connectionTimeoutMillis: 5000 },
  });
  await dataSource.initialize();
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  if (ran.length) logger.event('info', 'migrations applied', { migrations: ran.map((m) => m.name) });

  const broker = await connectBroker(config.NATS_URL, `ripple-${def.name}`);
  logger.event('info', 'connected to NATS', { serverVersion: broker.serverVersion });
  const contexts = [...new Set<BoundedContext>([...(def.publishes ? [def.publishes] : []), ...(def.projections ?? []).map((p) => p.source)])];
  const streams = streamSettings(config);
  for (const c of contexts) await ensureStream(broker, config.RIPPLE_NAMESPACE, c, streams);

  const eventStore = new EventStore(def.schema);
  const relay = def.publishes
    ? new OutboxRelay(dataSource, broker, { schema: def.schema, context: def.publishes, namespace: config.RIPPLE_NAMESPACE, databaseUrl: config.DATABASE_URL, streams }, metrics, logger)
    : undefined;
  const projections = def.projections ?? [];
  const deadLetters = new DeadLetterStore(dataSource, def.schema, projections);
  const runners = projections.map(
    (p) =>
      new ProjectionRunner(dataSource, broker, p, deadLetters, {
        app: def.name,
        schema: def.schema,
        namespace: config.RIPPLE_NAMESPACE,
        databaseUrl: config.DATABASE_URL,
        deadLetterAfter: config.DEAD_LETTER_AFTER,
        backoffBaseMs: config.RETRY_BACKOFF_MS,
        backoffMaxMs: config.RETRY_BACKOFF_MAX_MS,
        batchSize: config.PROJECTION_BATCH_SIZE,
        streams,
      }, metrics, logger),
  );
  const pipelineCheck = new PipelineCheck(broker, relay, runners, { namespace: config.RIPPLE_NAMESPACE, contexts, streams, intervalMs: config.PIPELINE_CHECK_MS }, metrics, logger);
  const healthChecks: HealthCheck[] = [
    { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) },
    { name: 'nats', check: () => pingBroker(broker) },
  ];
  return { definition: def, config, logger, metrics, dataSource, broker, eventStore, relay, deadLetters, runners, pipelineCheck, healthChecks, tracing };
}

/** Starts the relay and the projection runners. */
export async function startPipeline(rt: ServiceRuntime<ConfigSpec>): Promise<void> {
  await rt.relay?.start();
  for (const r of rt.runners) await r.start();
  for (const r of rt.runners) await r.refreshDeadLetterGauge();
  rt.pipelineCheck.start();
}

/** Graceful: stop consuming and finish in-flight batches, stop the relay, drain NATS, close the pool. */
export async function stopRuntime(rt: ServiceRuntime<ConfigSpec>): Promise<void> {
  await rt.pipelineCheck.stop();
  await Promise.all(rt.runners.map((r) => r.stop()));
  await rt.relay?.stop();
  await rt.broker.nc.drain().catch(() => undefined);
  if (rt.dataSource.isInitialized) await rt.dataSource.destroy();
  // Last: the spans of everything above are exported before the process ends.
  await rt.tracing?.shutdown();
}

async function ensureSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    // Two instances booting at once race on the catalog; the schema exists either way.
    if ((err as { code?: string }).code !== '23505') throw err;
  } finally {
    await client.end();
  }
}

/** The relay's record of its stream (createOutboxStreamsTable), added to every service that publishes. */
function outboxStreamsMigration(schema: string): new () => MigrationInterface {
  return class AddOutboxStreams1733050000000 implements MigrationInterface {
    name = 'AddOutboxStreams1733050000000';
    async up(qr: QueryRunner): Promise<void> {
      await createOutboxStreamsTable(qr, schema);
    }
    async down(qr: QueryRunner): Promise<void> {
      await qr.query(`DROP TABLE IF EXISTS "${schema}".outbox_streams`);
    }
  };
}

/** The trace each event continues (addEventTraceparent), added to every service that publishes. */
function eventTraceparentMigration(schema: string): new () => MigrationInterface {
  return class AddEventTraceparent1733060000000 implements MigrationInterface {
    name = 'AddEventTraceparent1733060000000';
    async up(qr: QueryRunner): Promise<void> {
      await addEventTraceparent(qr, schema);
    }
    async down(qr: QueryRunner): Promise<void> {
      await qr.query(`ALTER TABLE "${schema}".events DROP COLUMN IF EXISTS traceparent`);
    }
  };
}
