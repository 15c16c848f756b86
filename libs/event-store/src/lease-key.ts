import { createHash } from 'node:crypto';

/** Everything in Ripple that elects one holder at a time. A new kind of lease adds its scope here. */
export type LeaseScope = 'outbox-relay' | 'projection-runner' | 'connector-run' | 'pets-sync-job' | 'read-model-rebuild';

/** A lease's advisory lock: PostgreSQL's two-key form (classid, objid), each half 31 bits. */
export interface LeaseKey {
  /** `ripple-lease:<scope>:<name>`, what the key is derived from. */
  readonly text: string;
  readonly classid: number;
  readonly objid: number;
}

/**
 * The one place lease keys come from. The scope is one of a closed list and
 * cannot hold a colon, so two leases share a text only if they are the same
 * lease; the text's SHA-256 gives 62 bits (a 32-bit `hashtext` per call site
 * made collisions likely enough to matter). Leases live in the two-key lock
 * space, apart from the one-key transaction locks taken elsewhere
 * (`pg_advisory_xact_lock(hashtext(...))`), which therefore never block them.
 */
export function leaseKey(scope: LeaseScope, name: string): LeaseKey {
  const text = `ripple-lease:${scope}:${name}`;
  const digest = createHash('sha256').update(text).digest();
  return { text, classid: digest.readUInt32BE(0) >>> 1, objid: digest.readUInt32BE(4) >>> 1 };
}
