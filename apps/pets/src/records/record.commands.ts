import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { uuidv7, type CausationContext, type PetsAggregate } from '@ripple/contracts';
import { RecordNotFoundError } from '../pets.errors';
import { createRecord, updateRecord, type Fields, type RecordState } from './record';
import { RecordStore } from './record.store';

/** Runs a person's create or edit of a record: one transaction for its events and its row. */
@Injectable()
export class RecordCommands {
  constructor(private readonly dataSource: DataSource, private readonly store: RecordStore) {}

  /** `derive`, in the same transaction, fills the new record's copies the way the reactors would (as `…Synced` events). */
  async create(
    aggregate: PetsAggregate, build: (tx: EntityManager) => Promise<Fields>, ctx: CausationContext, derive?: (tx: EntityManager) => Promise<unknown>,
  ): Promise<RecordState> {
    return this.dataSource.transaction(async (tx) => {
      const fields = await build(tx);
      const { state } = await this.store.append(tx, undefined, aggregate, uuidv7(), createRecord(aggregate, fields), ctx);
      await this.store.save(tx, [state]);
      if (!derive) return state;
      await derive(tx);
      return (await this.find(aggregate, state.id, tx))!;
    });
  }

  /** Locks the row, lets `edit` check access and say what to change, then appends only what differs. */
  async update(
    aggregate: PetsAggregate, id: string, edit: (state: RecordState, tx: EntityManager) => Promise<Partial<Fields>>, expectedVersion: number | undefined, ctx: CausationContext,
  ): Promise<RecordState> {
    return this.dataSource.transaction(async (tx) => {
      const [state] = await this.store.load(tx, aggregate, 'id = $1', [id], true);
      if (!state) throw new RecordNotFoundError(aggregate, id);
      const events = updateRecord(state, await edit(state, tx), expectedVersion);
      if (!events.length) return state;
      const { state: next } = await this.store.append(tx, state, aggregate, id, events, ctx);
      await this.store.save(tx, [next]);
      return next;
    });
  }

  async find(aggregate: PetsAggregate, id: string, tx: EntityManager = this.dataSource.manager): Promise<RecordState | undefined> {
    return (await this.store.load(tx, aggregate, 'id = $1', [id]))[0];
  }

  async list(aggregate: PetsAggregate, where: string, params: unknown[]): Promise<RecordState[]> {
    return this.store.load(this.dataSource.manager, aggregate, where, params);
  }
}
