import type { MigrationInterface } from 'typeorm';
import type { BoundedContext } from '@ripple/contracts';
import type { ConfigOf, ConfigSpec } from '@ripple/config';
import type { StoredReadModel } from '@ripple/projections';
import type { ServiceHostConfig } from './service-vars';

/** What a service is: the facts its app module passes to `RippleModule.forService`. */
export interface ServiceDefinition<S extends ConfigSpec = ConfigSpec> {
  /** App name: log field, metrics label, durable prefix, `/api/ops/<name>`. */
  name: string;
  /** The PostgreSQL schema this service owns. */
  schema: string;
  config: S;
  /** The bounded context whose stream this service publishes to, if it appends events (import `OutboxRelayModule` too). */
  publishes?: BoundedContext;
  migrations: (new () => MigrationInterface)[];
  /** Tables the service writes with its events and rebuilds from its own event store (replayed by name like projections). */
  readModels?: StoredReadModel[];
}

/** The service's validated settings: its own variables and every service's. */
export type ServiceConfig<S extends ConfigSpec = ConfigSpec> = ConfigOf<S> & ServiceHostConfig;

/** Injection tokens of what `RippleModule` provides besides classes (DataSource, EventStore, JsonLogger, RippleMetrics). */
export const SERVICE_DEFINITION = Symbol('SERVICE_DEFINITION');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const BROKER = Symbol('BROKER');
export const TRACING = Symbol('TRACING');
