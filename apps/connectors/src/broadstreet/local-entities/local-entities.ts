import { Injectable } from '@nestjs/common';
import { REF_TYPE, type AdServerType, type EntityStatus, type RefKey } from '../adserver-model';
import { AdServerStore, type AdServerRow } from '../adserver.store';
import { AdServerEntityNotFoundError, AdServerInUseError, AdServerNotLocalError, AdServerReferenceNotFoundError } from '../adserver.errors';
import { validInput } from '../../framework/input/valid-input';
import { DTO_OF, splitBody } from './adserver.dtos';

/** The API shape of an entity: status says local, synced or imported (the UI badge). */
export const entityView = (r: AdServerRow) => ({
  id: r.id, type: r.type, status: r.status, remoteId: r.remoteId, name: r.name, ...r.fields,
  ...Object.fromEntries(Object.entries(r.refs).map(([k, v]) => [`${k}_id`, v])),
  syncErrors: r.syncErrors, lastSyncAttempt: r.lastSyncAttempt, syncedAt: r.syncedAt, createdAt: r.createdAt,
});

/** Locally created entities: validated, referencing local or imported ones, changeable until exported. */
@Injectable()
export class LocalEntities {
  constructor(readonly store: AdServerStore) {}

  async create(type: AdServerType, body: unknown): Promise<AdServerRow> {
    const { name, fields, refs } = await this.valid(type, body, false);
    return this.store.insertLocal(type, name, fields, refs);
  }

  async update(type: AdServerType, id: string, body: unknown): Promise<AdServerRow> {
    const current = await this.get(type, id);
    if (current.status !== 'local') throw new AdServerNotLocalError(id, current.status);
    const merged = { ...(current.name === null ? {} : { name: current.name }), ...current.fields, ...Object.fromEntries(Object.entries(current.refs).map(([k, v]) => [`${k}_id`, v])), ...(body as object) };
    const { name, fields, refs } = await this.valid(type, merged, true);
    const updated = await this.store.updateLocal(id, name, fields, refs);
    if (!updated) throw new AdServerNotLocalError(id, 'no longer local');
    return updated;
  }

  async remove(type: AdServerType, id: string): Promise<void> {
    const current = await this.get(type, id);
    if (current.status !== 'local') throw new AdServerNotLocalError(id, current.status);
    const dependents = await this.store.dependents(id);
    if (dependents) throw new AdServerInUseError(id, dependents);
    if (!(await this.store.deleteLocal(id))) throw new AdServerNotLocalError(id, 'no longer local');
  }

  async get(type: AdServerType, id: string): Promise<AdServerRow> {
    const row = await this.store.get(id);
    if (!row || row.type !== type) throw new AdServerEntityNotFoundError(type, id);
    return row;
  }

  list = (type: AdServerType, status?: EntityStatus) => this.store.list(type, status);

  private async valid(type: AdServerType, body: unknown, merged: boolean) {
    const dto = await validInput(DTO_OF[type], body, { allowUnknown: merged });
    const parts = splitBody(dto as Record<string, unknown>);
    for (const [ref, id] of Object.entries(parts.refs) as [RefKey, string][]) {
      const target = await this.store.get(id);
      if (!target || target.type !== REF_TYPE[ref]) throw new AdServerReferenceNotFoundError(`${ref}_id`, id);
    }
    return parts;
  }
}
