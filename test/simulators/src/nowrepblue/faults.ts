import type { EntityPath } from './dataset';

export const FAULT_KINDS = ['latency', 'rate_limit', 'server_error', 'timeout', 'malformed', 'unauthorized', 'disconnect'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Only requests for this entity (all entities when absent). */
  entity?: EntityPath;
  /** Only this page (any page when absent). */
  page?: number;
  /** How many matching requests it hits before it is used up (default 1). */
  times?: number;
  /** rate_limit: the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  /** latency and timeout: how long the response is held back. */
  delayMs?: number;
}

/** Injected faults, consumed by requests in order: the first matching rule with uses left applies. */
export class FaultBook {
  private rules: (FaultRule & { left: number })[] = [];
  /** Added to every response. */
  latencyMs = 0;

  add(...rules: FaultRule[]): void {
    for (const r of rules) this.rules.push({ ...r, left: r.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
    this.latencyMs = 0;
  }

  take(entity: EntityPath, page: number): FaultRule | undefined {
    const rule = this.rules.find((r) => r.left > 0 && (!r.entity || r.entity === entity) && (!r.page || r.page === page));
    if (rule) rule.left -= 1;
    return rule;
  }

  pending(): number {
    return this.rules.reduce((n, r) => n + r.left, 0);
  }
}

export function validFaultRule(r: unknown): r is FaultRule {
  const x = r as FaultRule;
  return typeof x === 'object' && x !== null && (FAULT_KINDS as readonly string[]).includes(x.kind);
}
