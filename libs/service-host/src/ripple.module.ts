import { Client } from 'pg';
import { Inject, Injectable, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { JWT_SECRET } from '@ripple/auth';
import { loadConfig, type ConfigSpec, type LoadedConfig } from '@ripple/config';
import { addEventTraceparent, createOutboxStreamsTable, EventStore, moveOutboxBackToEvents, moveOutboxToItsOwnTable } from '@ripple/event-store';
import { connectBroker, ensureStream, pingBroker, type Broker } from '@ripple/messaging';
import { JsonLogger, ObservabilityModule, RippleMetrics, startTracing, type Tracing } from '@ripple/observability';
import { BROKER, SERVICE_CONFIG, SERVICE_DEFINITION, TRACING, type ServiceConfig, type ServiceDefinition } from './definition';
import { deadLettersController } from './dead-letters.controller';
import { HealthChecks } from './health-checks';
import { opsController } from './ops.controller';
import { JetStreamPipeline } from './pipeline/jetstream-pipeline';
import { ReplayJobs } from './replay-jobs';
import { replaysController } from './replays.controller';
import { DeadLetterStore } from '@ripple/projections';
import { poolOptions, streamSettings } from './service-vars';
import { serviceEnv } from './service-env';

/** Closes what the module opened, after the pipeline and HTTP have stopped (Nest's last shutdown hook). */
@Injectable()
class Closer implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly logger: JsonLogger,
    private readonly dataSource: DataSource,
    @Inject(BROKER) private readonly broker: Broker,
    @Inject(TRACING) private readonly tracing: Tracing | undefined,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.logger.event('info', 'shutting down', { signal });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.broker.nc.drain().catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    // Last: the spans of everything above are exported before the process ends.
    await this.tracing?.shutdown();
  }
}

/**
 * What every Ripple service holds, as providers of its app module (global, so
 * feature modules inject them): its validated config (a missing or bad variable
 * fails the boot, naming it), the JSON logger, metrics, tracing (when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set), its schema migrated (DataSource), the
 * NATS connection with its stream, its EventStore, its pipeline (the
 * JetStreamPipeline transport and its dead letters), /health, /metrics and the
 * operators' routes at /api/ops/<service>.
 */
@Module({})
export class RippleModule {
  static forService<S extends ConfigSpec>(def: ServiceDefinition<S>): DynamicModule {
    const providers: Provider[] = [
      { provide: SERVICE_DEFINITION, useValue: def },
      { provide: LOADED_CONFIG, useFactory: () => loadConfig(def.config, serviceEnv()) },
      { provide: SERVICE_CONFIG, inject: [LOADED_CONFIG], useFactory: (loaded: LoadedConfig<S>) => loaded.values },
      {
        provide: JsonLogger,
        inject: [LOADED_CONFIG],
        useFactory: (loaded: LoadedConfig<S>) => {
          const logger = new JsonLogger(def.name, (loaded.values as unknown as ServiceConfig).LOG_LEVEL);
          for (const name of loaded.devDefaultsUsed) logger.event('warn', `${name} is not set: using its development default (refused when NODE_ENV=production)`);
          return logger;
        },
      },
      { provide: RippleMetrics, useFactory: () => new RippleMetrics(def.name) },
      {
        provide: TRACING,
        inject: [SERVICE_CONFIG],
        useFactory: (c: ServiceConfig) =>
          c.OTEL_EXPORTER_OTLP_ENDPOINT
            ? startTracing({ serviceName: c.OTEL_SERVICE_NAME || def.name, endpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT, scheduleDelayMs: c.OTEL_BSP_SCHEDULE_DELAY })
            : undefined,
      },
      {
        provide: DataSource,
        // After tracing: the pool's first queries already carry spans.
        inject: [SERVICE_CONFIG, JsonLogger, TRACING],
        useFactory: (c: ServiceConfig, logger: JsonLogger) => migratedDataSource(def, c, logger),
      },
      {
        provide: BROKER,
        inject: [SERVICE_CONFIG, JsonLogger],
        useFactory: async (c: ServiceConfig, logger: JsonLogger) => {
          const broker = await connectBroker(c.NATS_URL, `ripple-${def.name}`);
          logger.event('info', 'connected to NATS', { serverVersion: broker.serverVersion });
          if (def.publishes) await ensureStream(broker, c.RIPPLE_NAMESPACE, def.publishes, streamSettings(c));
          return broker;
        },
      },
      { provide: EventStore, useValue: new EventStore(def.schema) },
      { provide: JWT_SECRET, inject: [SERVICE_CONFIG], useFactory: (c: ServiceConfig) => c.JWT_SECRET },
      {
        provide: HealthChecks,
        inject: [DataSource, BROKER],
        useFactory: (dataSource: DataSource, broker: Broker) => {
          const checks = new HealthChecks();
          checks.add({ name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) }, { name: 'nats', check: () => pingBroker(broker) });
          return checks;
        },
      },
      JetStreamPipeline,
      { provide: DeadLetterStore, inject: [JetStreamPipeline], useFactory: (p: JetStreamPipeline) => p.deadLetters },
      ReplayJobs,
      Closer,
    ];
    return {
      module: RippleModule,
      global: true,
      imports: [DiscoveryModule, ObservabilityModule.forRoot({ checks: { useFactory: (h: HealthChecks) => h.list, inject: [HealthChecks] } })],
      controllers: [opsController(def.name), deadLettersController(def.name), replaysController(def.name)],
      providers,
      exports: [SERVICE_DEFINITION, SERVICE_CONFIG, JsonLogger, RippleMetrics, TRACING, DataSource, BROKER, EventStore, JWT_SECRET, HealthChecks, JetStreamPipeline, DeadLetterStore, ObservabilityModule],
    };
  }
}

/** The config with the development defaults it fell back on (warned about by the logger's factory). */
const LOADED_CONFIG = Symbol('LOADED_CONFIG');

async function migratedDataSource(def: ServiceDefinition, config: ServiceConfig, logger: JsonLogger): Promise<DataSource> {
  await ensureSchema(config.DATABASE_URL, def.schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: config.DATABASE_URL,
    schema: def.schema,
    migrationsTableName: 'migrations',
    migrations: [...def.migrations, ...(def.publishes ? publisherMigrations(def.schema) : [])],
    synchronize: false,
    logging: false,
    extra: poolOptions(def.name, config),
  });
  await dataSource.initialize();
  const ran = await dataSource.runMigrations({ transaction: 'each' });
  if (ran.length) logger.event('info', 'migrations applied', { migrations: ran.map((m) => m.name) });
  return dataSource;
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

type SchemaStep = (qr: QueryRunner, schema: string) => Promise<void>;

/** A migration of the event store's own tables, added to every service that publishes (TypeORM orders migrations by the timestamp ending `name`). */
function publisherMigration(name: string, up: SchemaStep, down: SchemaStep): (schema: string) => new () => MigrationInterface {
  return (schema) =>
    class implements MigrationInterface {
      name = name;
      up = (qr: QueryRunner) => up(qr, schema);
      down = (qr: QueryRunner) => down(qr, schema);
    };
}

/** The relay's record of its stream. */
const outboxStreamsMigration = publisherMigration('AddOutboxStreams1733050000000', createOutboxStreamsTable, async (qr, schema) => {
  await qr.query(`DROP TABLE IF EXISTS "${schema}".outbox_streams`);
});

/** The trace each event continues. */
const eventTraceparentMigration = publisherMigration('AddEventTraceparent1733060000000', addEventTraceparent, async (qr, schema) => {
  await qr.query(`ALTER TABLE "${schema}".events DROP COLUMN IF EXISTS traceparent`);
});

/** The outbox as a table of its own. */
const outboxTableMigration = publisherMigration('MoveOutboxToItsOwnTable1733070000000', moveOutboxToItsOwnTable, moveOutboxBackToEvents);

const PUBLISHER_MIGRATIONS = [outboxStreamsMigration, eventTraceparentMigration, outboxTableMigration];

/** The event store's own migrations, which every service that publishes runs after its own (`def.migrations`). */
export const publisherMigrations = (schema: string): (new () => MigrationInterface)[] => PUBLISHER_MIGRATIONS.map((migration) => migration(schema));
