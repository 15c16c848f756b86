import type { EntityManager } from 'typeorm';
import type { DomainEvent, PetsEvent, VeterinarianFields } from '@ripple/contracts';
import { causedBy, type CopySync } from '../copies/copy-sync';
import { isPetsEvent } from '../records/record-kinds';

const COPIED: (keyof VeterinarianFields)[] = ['name', 'clinicName', 'phone'];

/**
 * The last event of a batch per vet whose copied details (name, clinic, phone)
 * changed, whether a person or the contact rule changed them: that chain ends at
 * health records and user events, which feed nothing back.
 */
export function vetTriggersOf(events: DomainEvent[]): Map<string, PetsEvent> {
  const vets = new Map<string, PetsEvent>();
  for (const e of events.filter(isPetsEvent)) {
    if ((e.type === 'VeterinarianUpdated' || e.type === 'VeterinarianSynced') && COPIED.some((f) => f in e.data.changes)) vets.set(e.aggregateId, e);
  }
  return vets;
}

/** Pets → pets reactor: a vet's details → their health records and user events. */
export async function copyDetailsWhenVetChanged(tx: EntityManager, copies: CopySync, events: DomainEvent[]): Promise<void> {
  const vets = vetTriggersOf(events);
  await copies.forVets(tx, [...vets.keys()].sort(), (vetId) => causedBy(vets.get(vetId)!), false);
}
