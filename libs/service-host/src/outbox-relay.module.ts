import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Broker } from '@ripple/messaging';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { OutboxRelay } from '@ripple/relay';
import { BROKER, SERVICE_CONFIG, SERVICE_DEFINITION, type ServiceConfig, type ServiceDefinition } from './definition';
import { streamSettings } from './service-vars';

/**
 * The outbox relay of a service that appends events (its definition names the
 * context it `publishes`): committed events → its JetStream stream, in position
 * order, one active relay per schema. The event store knows nothing of NATS;
 * this module is where the two meet. Started and stopped with the pipeline
 * (JetStreamPipeline.listen / close).
 */
@Module({
  providers: [
    {
      provide: OutboxRelay,
      inject: [DataSource, BROKER, SERVICE_DEFINITION, SERVICE_CONFIG, RippleMetrics, JsonLogger],
      useFactory: (dataSource: DataSource, broker: Broker, def: ServiceDefinition, c: ServiceConfig, metrics: RippleMetrics, logger: JsonLogger) => {
        if (!def.publishes) throw new Error(`${def.name} imports OutboxRelayModule but its definition publishes to no context`);
        const opts = { schema: def.schema, context: def.publishes, namespace: c.RIPPLE_NAMESPACE, databaseUrl: c.DATABASE_URL, streams: streamSettings(c) };
        return new OutboxRelay(dataSource, broker, opts, metrics, logger);
      },
    },
  ],
  exports: [OutboxRelay],
})
export class OutboxRelayModule {}
