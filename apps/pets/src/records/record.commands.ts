import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type CausationContext, type PetsAggregate } from '@ripple/contracts';
import { RecordNotFoundError } from '../pets.errors';
import type { RecordKind } from './record-kind';
import type { Decided, RecordEvent, RecordState } from './record-state';
import { RecordStore } from './record.store';

/** Runs a person's create or edit of a record: one transaction for its events and its row. */
@Injectable()
export class RecordCommands {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  /**
   * `decide` reads what it needs in the transaction and says what happened;
   * `derive`, in the same transaction, fills the new record's copies the way the reactors would (as `…Synced` events).
   */
  async create<A extends PetsAggregate>(
    kind: RecordKind<A>, decide: (tx: EntityManager) => Promise<Decided<RecordEvent<A>>[]>, ctx: CausationContext,
    derive?: (tx: EntityManager) => Promise<unknown>,
  ): Promise<RecordState<A>> {
    return this.dataSource.transaction(async (tx) => {
      const { state } = await this.store.append(tx, kind, undefined, uuidv7(), await decide(tx), ctx);
      await this.store.save(tx, [state]);
      if (!derive) return state;
      await derive(tx);
      return (await this.store.find(tx, kind, state.id))!;
    });
  }

  /** Locks the row, lets `decide` check access and say what changes, then appends that. */
  async update<A extends PetsAggregate>(
    kind: RecordKind<A>, id: string, decide: (state: RecordState<A>, tx: EntityManager) => Promise<Decided<RecordEvent<A>>[]>, ctx: CausationContext,
  ): Promise<RecordState<A>> {
    return this.dataSource.transaction(async (tx) => {
      const state = await this.store.find(tx, kind, id, true);
      if (!state) throw new RecordNotFoundError(kind.aggregate, id);
      const events = await decide(state, tx);
      if (!events.length) return state;
      const { state: next } = await this.store.append(tx, kind, state, id, events, ctx);
      await this.store.save(tx, [next]);
      return next;
    });
  }
}
