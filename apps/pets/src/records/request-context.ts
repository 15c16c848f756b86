import type { CausationContext } from '@ripple/contracts';
import { MAX_VERSION } from '@ripple/event-store';
import { correlationIdOf } from '@ripple/http-edge';
import { InvalidIfMatchError } from '../pets.errors';

/** A command's causation: the HTTP request is the first cause of its events. */
export function causationOf(req: unknown, actor: string): CausationContext {
  const correlationId = correlationIdOf(req);
  return { correlationId, causationId: correlationId, actor };
}

/** `If-Match: "3"`, `W/"3"` or `3` → 3; absent or `*` → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header === '*') return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!m || Number(m[1]) > MAX_VERSION) throw new InvalidIfMatchError();
  return Number(m[1]);
}
