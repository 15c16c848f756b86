import { importConflicts, type HeldRow, type IncomingRow } from './import-conflicts';

const incoming = (over: Partial<IncomingRow>): IncomingRow => ({ remoteId: '9', name: 'Spring', fields: { start_date: '2026-03-01' }, refs: { advertiser: 'adv' }, unresolved: [], ...over });
const held = (over: Partial<HeldRow>): HeldRow => ({ id: 'l1', status: 'imported', remoteId: '9', name: 'Spring', fields: { start_date: '2026-03-01' }, refs: { advertiser: 'adv' }, ...over });

describe('importConflicts', () => {
  it('finds nothing for a new record, or an update of an imported one', () => {
    expect(importConflicts('campaigns', [incoming({})], [])).toEqual([]);
    expect(importConflicts('campaigns', [incoming({ name: 'Renamed', fields: { start_date: '2026-04-01' } })], [held({})])).toEqual([]);
  });

  it('lists a reference that is not imported', () => {
    expect(importConflicts('placements', [incoming({ name: null, unresolved: [{ ref: 'zone', remoteId: '77' }] })], [])).toEqual([
      { kind: 'unknown_reference', remoteId: '9', detail: 'zone 77 is not imported: kept without it' },
    ]);
  });

  it('lists an exported entity changed on the ad server, ignoring unset and untrimmed values', () => {
    const synced = held({ status: 'synced', fields: { start_date: ' 2026-03-01', notes: '', weight: 5 } });
    expect(importConflicts('campaigns', [incoming({ fields: { start_date: '2026-03-01', weight: 5 } })], [synced])).toEqual([]);
    expect(importConflicts('campaigns', [incoming({ fields: { start_date: '2026-03-01', weight: 9 } })], [synced])).toEqual([
      expect.objectContaining({ kind: 'changed_remotely', remoteId: '9', localId: 'l1' }),
    ]);
  });

  it('lists a local entity of the same name under the same parent only', () => {
    const local = held({ id: 'loc', status: 'local', remoteId: null, name: 'Spring ' });
    expect(importConflicts('campaigns', [incoming({})], [local])).toEqual([expect.objectContaining({ kind: 'name_taken_locally', remoteId: '9', localId: 'loc' })]);
    expect(importConflicts('campaigns', [incoming({ refs: { advertiser: 'other' } })], [local])).toEqual([]);
  });
});
