import { republishSince, streamLoss } from './stream-loss';

const stream = (created: string, lastSeq: number, lastTs = '2026-12-01T10:00:00Z') => ({ created, lastSeq, lastTs });

describe('streamLoss', () => {
  it('takes a stream seen for the first time as it is', () => {
    expect(streamLoss(undefined, 0, stream('A', 0))).toBeUndefined();
    expect(streamLoss(undefined, 0, stream('A', 40))).toBeUndefined();
  });

  it('finds nothing lost while the stream holds at least what was acked and recorded', () => {
    expect(streamLoss({ created: 'A', highSeq: 10 }, 12, stream('A', 12))).toBeUndefined();
    expect(streamLoss({ created: 'A', highSeq: 10 }, 0, stream('A', 15))).toBeUndefined();
  });

  it('reports a stream created again, whatever it holds now', () => {
    expect(streamLoss({ created: 'A', highSeq: 10 }, 0, stream('B', 0))).toEqual({ reason: 'recreated' });
    expect(streamLoss({ created: 'A', highSeq: 10 }, 3, stream('B', 500))).toEqual({ reason: 'recreated' });
  });

  it('reports the same stream behind a PubAck or the recorded sequence', () => {
    expect(streamLoss({ created: 'A', highSeq: 10 }, 14, stream('A', 12))).toEqual({ reason: 'behind', expectedSeq: 14, lastSeq: 12, lastTs: '2026-12-01T10:00:00Z' });
    expect(streamLoss({ created: 'A', highSeq: 10 }, 0, stream('A', 7))).toMatchObject({ reason: 'behind', expectedSeq: 10, lastSeq: 7 });
    expect(streamLoss(undefined, 9, stream('A', 0))).toMatchObject({ reason: 'behind', expectedSeq: 9 });
  });
});

describe('republishSince', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const opts = { now, maxAgeMs: 0, duplicateWindowMs: 120_000 };

  it('republishes everything after a re-creation, or what the age limit keeps', () => {
    expect(republishSince({ reason: 'recreated' }, opts)).toBeUndefined();
    expect(republishSince({ reason: 'recreated' }, { ...opts, maxAgeMs: 3_600_000 })).toEqual(new Date('2026-12-01T11:00:00Z'));
  });

  it('republishes from the last message kept, less the duplicate window', () => {
    expect(republishSince({ reason: 'behind', expectedSeq: 9, lastSeq: 7, lastTs: '2026-12-01T10:00:00Z' }, opts)).toEqual(new Date('2026-12-01T09:58:00Z'));
  });

  it('republishes everything when the stream kept no message', () => {
    expect(republishSince({ reason: 'behind', expectedSeq: 9, lastSeq: 0, lastTs: '0001-01-01T00:00:00Z' }, opts)).toBeUndefined();
    expect(republishSince({ reason: 'behind', expectedSeq: 9, lastSeq: 0, lastTs: '1970-01-01T00:00:00Z' }, opts)).toBeUndefined();
  });
});
