import type { DataSource, EntityManager } from 'typeorm';
import { CONNECTOR_RUN_AGGREGATE, uuidv7, type ConnectorsEvent } from '@ripple/contracts';
import type { EventStore, NewEvent } from '@ripple/event-store';

export const SERVICE_ACTOR = 'service:connectors';

/** Appends one run's events in order; the run is the only writer of its stream, so the version is tracked here. */
export class RunEventStream {
  private version = 0;
  private readonly correlationId = uuidv7();

  constructor(private readonly db: DataSource, private readonly events: EventStore, readonly runId: string) {}

  async append(event: NewEvent<ConnectorsEvent>, alsoInTx?: (tx: EntityManager) => Promise<void>): Promise<void> {
    await this.db.transaction(async (tx) => {
      await alsoInTx?.(tx);
      await this.events.append(tx, {
        aggregateType: CONNECTOR_RUN_AGGREGATE,
        aggregateId: this.runId,
        expectedVersion: this.version,
        events: [event],
        context: { correlationId: this.correlationId, causationId: this.runId, actor: SERVICE_ACTOR },
      });
    });
    this.version += 1;
  }
}
