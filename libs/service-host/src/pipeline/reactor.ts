import { applyDecorators, Catch, UseFilters, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, EventPattern } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';
import type { BoundedContext, ConnectorsEvent, PetsEvent, ProfilesEvent, VenuesEvent } from '@ripple/contracts';
import type { ApplyMode, TableMap } from '@ripple/projections';

/** Each bounded context's events. */
interface EventsOf {
  profiles: ProfilesEvent;
  venues: VenuesEvent;
  pets: PetsEvent;
  connectors: ConnectorsEvent;
}

export interface ReactorDefinition<C extends BoundedContext = BoundedContext> {
  /** kebab-case, unique per service: its durable consumer, checkpoints and dead letters go by it. */
  name: string;
  source: C;
  /** Live tables its handlers write, unqualified: replay rebuilds exactly these. */
  tables: string[];
}

/** What a `@EventPattern` pattern of a reactor is: the transport routes `<source>.<type>` (or `<source>.*`) of that reactor's stream to it. */
export interface ReactorPattern {
  reactor: string;
  event: string;
}

/**
 * The second argument of a reactor's handler: the transaction the event is
 * applied in (with the reactor's checkpoint; nothing else may be written outside
 * it), the table each live name maps to (the shadow during a replay), and
 * whether this is a live apply or a replay.
 */
export class ReactorContext extends BaseRpcContext<[EntityManager, TableMap, ApplyMode]> {
  get tx(): EntityManager {
    return this.args[0];
  }
  /** The qualified table to write for a live table's name. */
  table(name: string): string {
    return this.args[1](name);
  }
  get mode(): ApplyMode {
    return this.args[2];
  }
}

/** A handler's failure goes to the pipeline as thrown (retry, backoff, dead letter by its class), not through Nest's RPC error reply. */
@Catch()
class FailToPipeline implements RpcExceptionFilter {
  catch(err: unknown): Observable<never> {
    return throwError(() => err);
  }
}

type Handler<E> = (event: E, ctx: ReactorContext) => unknown;

/**
 * A reactor: event handlers of one stream declared as `@EventPattern` methods of
 * a controller, run by the JetStreamPipeline transport on one durable consumer.
 * Each event is handed to the handlers declared for its type, one at a time, in
 * stream order, in the transaction of the batch it arrived in (exactly once,
 * per-aggregate order, dead letters: as for a batch projection).
 *
 *     const PetHistory = reactor({ name: 'pet-history', source: 'pets', tables: ['pet_measurements'] });
 *     @Controller()
 *     class MeasurementWhenWeightSet {
 *       @PetHistory.on('PetRegistered', 'PetUpdated')
 *       async record(@Payload() e: PetsEvent, @Ctx() ctx: ReactorContext) { ... }
 *     }
 *
 * `on()` with no types takes every event of the stream.
 */
export function reactor<C extends BoundedContext>(definition: ReactorDefinition<C>) {
  return {
    definition,
    on<T extends EventsOf[C]['type']>(...types: T[]) {
      const patterns: ReactorPattern[] = (types.length ? types : ['*']).map((t) => ({ reactor: definition.name, event: `${definition.source}.${t}` }));
      return applyDecorators(EventPattern(patterns, { reactor: definition }), UseFilters(FailToPipeline)) as <M extends Handler<Extract<EventsOf[C], { type: T }>>>(
        target: object,
        key: string | symbol,
        descriptor: TypedPropertyDescriptor<M>,
      ) => void;
    },
  };
}
