import { CATALOG_AGGREGATE, CONNECTOR_RUN_AGGREGATE } from './connectors.events';
import { PETS_RECORD_TYPES, type PetsAggregate, type PetsEventType } from './pets.events';
import { USER_AGGREGATE } from './profiles.events';
import type { DomainEvent } from './registry';
import type { BoundedContext } from './subjects';
import { GALLERA_AGGREGATE, VENUE_AGGREGATE } from './venues.events';

/** Where an event is published: its context's stream, and the aggregate its subject names. */
export interface EventRoute {
  context: BoundedContext;
  aggregate: string;
}

const petsRoutes = Object.fromEntries(
  (Object.entries(PETS_RECORD_TYPES) as [PetsAggregate, (typeof PETS_RECORD_TYPES)[PetsAggregate]][]).flatMap(([aggregate, t]) =>
    [t.created, t.updated, t.synced].map((type) => [type, { context: 'pets', aggregate }]),
  ),
) as Record<PetsEventType, EventRoute>;

const run: EventRoute = { context: 'connectors', aggregate: CONNECTOR_RUN_AGGREGATE };
const catalog: EventRoute = { context: 'connectors', aggregate: CATALOG_AGGREGATE };

/**
 * Every event's subject is `<context>.<aggregate>.<aggregateId>.<EventType>`:
 * this is the table a consumer (or the AsyncAPI document) reads it from.
 */
export const EVENT_ROUTES: Readonly<Record<DomainEvent['type'], EventRoute>> = {
  UserRegistered: { context: 'profiles', aggregate: USER_AGGREGATE },
  UserProfileUpdated: { context: 'profiles', aggregate: USER_AGGREGATE },
  UserRoleChanged: { context: 'profiles', aggregate: USER_AGGREGATE },
  UserTokensRevoked: { context: 'profiles', aggregate: USER_AGGREGATE },
  VenueSynced: { context: 'venues', aggregate: VENUE_AGGREGATE },
  GalleraSynced: { context: 'venues', aggregate: GALLERA_AGGREGATE },
  ...petsRoutes,
  ConnectorRunStarted: run,
  ConnectorEntityProgressed: run,
  ConnectorRunSucceeded: run,
  ConnectorRunFailed: run,
  CatalogVersionSwitched: catalog,
  CatalogEntityChanged: catalog,
  CatalogRolledBack: catalog,
};
