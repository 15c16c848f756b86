import { leaseKey } from './lease-key';

describe('leaseKey', () => {
  it('derives two 31-bit halves from the scope and name, the same each time', () => {
    const k = leaseKey('pets-sync-job', 'job-1');
    expect(k).toEqual(leaseKey('pets-sync-job', 'job-1'));
    expect(k.text).toBe('ripple-lease:pets-sync-job:job-1');
    for (const n of [k.classid, k.objid]) expect(Number.isInteger(n) && n >= 0 && n < 2 ** 31).toBe(true);
    expect(leaseKey('connector-run', 'job-1')).not.toMatchObject({ classid: k.classid, objid: k.objid });
  });
});
