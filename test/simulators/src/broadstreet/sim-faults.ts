import type { SimType } from './sim-store';

export const SIM_FAULT_KINDS = ['latency', 'rate_limit', 'server_error', 'unauthorized', 'validation', 'drop_after_write', 'hold_after_write', 'reply_without_id'] as const;
export type SimFaultKind = (typeof SIM_FAULT_KINDS)[number];

export interface SimFaultRule {
  kind: SimFaultKind;
  method?: 'GET' | 'POST';
  type?: SimType;
  /** Only creates whose name contains this. */
  nameContains?: string;
  /** How many matching requests it hits (default 1). */
  times?: number;
  /** rate_limit: the Retry-After header, in seconds. */
  retryAfterSeconds?: number;
  /** latency and hold_after_write: how long the response is held back. */
  delayMs?: number;
}

export interface SimRequest {
  method: string;
  type: SimType;
  name?: string;
  at: number;
}

/** Injected faults, consumed in order: the first matching rule with uses left applies. */
export class SimFaults {
  private rules: (SimFaultRule & { left: number })[] = [];

  add(...rules: SimFaultRule[]): void {
    for (const r of rules) this.rules.push({ ...r, left: r.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  take(req: SimRequest): SimFaultRule | undefined {
    const rule = this.rules.find(
      // Faults after a write only make sense for a write.
      (r) => r.left > 0 && ((!r.kind.endsWith('_after_write') && r.kind !== 'reply_without_id') || req.method === 'POST') && (!r.method || r.method === req.method) && (!r.type || r.type === req.type) && (!r.nameContains || (req.name ?? '').includes(r.nameContains)),
    );
    if (rule) rule.left -= 1;
    return rule;
  }

  pending(): number {
    return this.rules.reduce((n, r) => n + r.left, 0);
  }
}

export const validSimFault = (r: unknown): r is SimFaultRule =>
  typeof r === 'object' && r !== null && (SIM_FAULT_KINDS as readonly string[]).includes((r as SimFaultRule).kind);
