import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore } from '@ripple/event-store';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { OutboxRelayModule, RippleModule, SERVICE_CONFIG } from '@ripple/service-host';
import { CatalogVersions } from './catalog/importing/catalog-versions';
import { NOWREPBLUE, nowRepBlueConnector } from './catalog/importing/nowrepblue.connector';
import { CatalogController } from './catalog/reading/catalog.controller';
import { CatalogReader } from './catalog/reading/catalog.reader';
import { RollbackController } from './catalog/rollback/rollback.controller';
import { AdServerStore } from './broadstreet/adserver.store';
import { BroadstreetApi } from './broadstreet/broadstreet-api';
import { broadstreetExportConnector } from './broadstreet/exporting/broadstreet-export.connector';
import { broadstreetImportConnector } from './broadstreet/importing/broadstreet-import.connector';
import { AdServerController } from './broadstreet/local-entities/adserver.controller';
import { LocalEntities } from './broadstreet/local-entities/local-entities';
import { SyncController } from './broadstreet/sync/sync.controller';
import { connectorsDefinition, type ConnectorsConfig } from './connectors.definition';
import { UpstreamRateLimits } from './framework/http/token-bucket';
import { UpstreamClient } from './framework/http/upstream-client';
import { ConnectorRuns } from './framework/runs/connector-runs';
import { RunMetrics } from './framework/runs/run-metrics';
import { RunStore } from './framework/runs/run.store';
import { RunsController } from './framework/runs/runs.controller';
import { OrchestrateSyncController } from './framework/triggers/orchestrate-sync.controller';
import { SeenSignatures } from './framework/triggers/seen-signatures';
import { SyncSchedule } from './framework/triggers/sync-schedule';

function nowRepBlueClient(c: ConnectorsConfig, limits: UpstreamRateLimits): UpstreamClient {
  return new UpstreamClient(
    {
      baseUrl: c.NOWREPBLUE_BASE_URL,
      headers: { authorization: `Bearer ${c.NOWREPBLUE_API_KEY}` },
      timeoutMs: c.NOWREPBLUE_TIMEOUT_MS,
      retry: { attempts: c.NOWREPBLUE_RETRY_ATTEMPTS, minDelayMs: c.NOWREPBLUE_RETRY_MIN_MS, maxDelayMs: c.NOWREPBLUE_RETRY_MAX_MS, maxRetryAfterMs: c.NOWREPBLUE_MAX_RETRY_AFTER_MS },
      ratePerSecond: c.NOWREPBLUE_RATE_LIMIT_PER_S,
    },
    limits,
  );
}

function broadstreetClient(c: ConnectorsConfig, limits: UpstreamRateLimits): UpstreamClient {
  return new UpstreamClient(
    {
      baseUrl: c.BROADSTREET_BASE_URL,
      headers: {},
      // Broadstreet authenticates with a query parameter, not a header.
      query: { access_token: c.BROADSTREET_ACCESS_TOKEN },
      timeoutMs: c.BROADSTREET_TIMEOUT_MS,
      retry: broadstreetRetry(c),
      ratePerSecond: c.BROADSTREET_RATE_LIMIT_PER_S,
    },
    limits,
  );
}

const broadstreetRetry = (c: ConnectorsConfig) => ({
  attempts: c.BROADSTREET_RETRY_ATTEMPTS, minDelayMs: c.BROADSTREET_RETRY_MIN_MS, maxDelayMs: c.BROADSTREET_RETRY_MAX_MS, maxRetryAfterMs: c.BROADSTREET_MAX_RETRY_AFTER_MS,
});

/** Arms the schedule once the app is up; aborts running runs (they record their failure) before the runtime closes. */
@Injectable()
class ConnectorsLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private schedule?: SyncSchedule;
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ConnectorsConfig, private readonly db: DataSource, private readonly runs: ConnectorRuns, private readonly logger: JsonLogger) {}

  onApplicationBootstrap(): void {
    if (!this.config.NOWREPBLUE_SYNC_CRON) return;
    this.schedule = new SyncSchedule(this.db, this.runs, this.logger, NOWREPBLUE, this.config.NOWREPBLUE_SYNC_CRON);
    this.schedule.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.schedule?.stop();
    await this.runs.stop();
  }
}

/** Connectors: upstream APIs mirrored (the NowRepBlue catalog import, Broadstreet two-way sync), runs with progress, webhooks and the schedule. */
@Module({
  imports: [RippleModule.forService(connectorsDefinition), OutboxRelayModule],
  controllers: [RunsController, OrchestrateSyncController, RollbackController, CatalogController, SyncController, AdServerController],
  providers: [
    SeenSignatures, CatalogReader, ConnectorsLifecycle, LocalEntities,
    { provide: AdServerStore, useFactory: (db: DataSource) => new AdServerStore(db), inject: [DataSource] },
    { provide: UpstreamRateLimits, useValue: new UpstreamRateLimits() },
    { provide: CatalogVersions, useFactory: (db: DataSource, events: EventStore) => new CatalogVersions(db, events), inject: [DataSource, EventStore] },
    {
      provide: ConnectorRuns,
      useFactory: (db: DataSource, events: EventStore, logger: JsonLogger, metrics: RippleMetrics, config: ConnectorsConfig, limits: UpstreamRateLimits, versions: CatalogVersions, store: AdServerStore) => {
        const api = new BroadstreetApi(broadstreetClient(config, limits));
        return new ConnectorRuns(db, config.DATABASE_URL, events, new RunStore(db), logger, new RunMetrics(metrics), [
          nowRepBlueConnector({ db, client: nowRepBlueClient(config, limits), versions, pageSize: config.NOWREPBLUE_PAGE_SIZE }),
          broadstreetImportConnector({ db, api }),
          broadstreetExportConnector({ store, api, retry: broadstreetRetry(config), rateLimitBudgetMs: config.BROADSTREET_RATE_LIMIT_BUDGET_MS }),
        ]);
      },
      inject: [DataSource, EventStore, JsonLogger, RippleMetrics, SERVICE_CONFIG, UpstreamRateLimits, CatalogVersions, AdServerStore],
    },
  ],
})
export class ConnectorsModule {}
