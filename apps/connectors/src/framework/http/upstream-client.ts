import type { UpstreamErrorClass } from '@ripple/contracts';
import { retryDecision, type RetryDecision, type RetryPolicy } from './backoff';
import { classifyStatus, describeNetworkFailure, parseRetryAfter } from './classify';
import type { UpstreamRateLimits } from './token-bucket';
import { UpstreamError } from './upstream.errors';

export interface UpstreamConfig {
  /** From the app's config only: never from a request. */
  baseUrl: string;
  headers: Record<string, string>;
  /** Sent on every request (an API that authenticates with `?access_token=`). */
  query?: Record<string, string>;
  timeoutMs: number;
  retry: RetryPolicy;
  ratePerSecond: number;
}

/** A failed attempt that will be retried: what the run records as a per-entity error. */
export interface RetryNotice {
  errorClass: UpstreamErrorClass;
  status?: number;
  attempt: number;
  delayMs: number;
  message: string;
}

export interface CallOptions {
  signal?: AbortSignal;
  onRetry?: (notice: RetryNotice) => void;
  /**
   * Which failures may be retried by resending as is. A non-idempotent write
   * retries only what proves the server did nothing (a 429); its caller
   * reconciles after a network error or a 5xx, which may have written.
   */
  retryable?: (c: UpstreamErrorClass) => boolean;
  /** Rate-limit waits drawn from a budget shared by a whole run, instead of the per-call attempt count. */
  rateLimitBudget?: WaitBudget;
}

/** Milliseconds of Retry-After a run may still spend waiting on one API. */
export class WaitBudget {
  constructor(public remainingMs: number) {}

  spend(ms: number): boolean {
    if (ms > this.remainingMs) return false;
    this.remainingMs -= ms;
    return true;
  }
}

export type JsonMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

type Attempt = { ok: true; body: unknown } | { ok: false; error: UpstreamError };

/** What a request sends: JSON, or flat form fields (`application/x-www-form-urlencoded`). */
export interface RequestBody {
  query?: Record<string, string | number>;
  body?: unknown;
  form?: Record<string, string | number | boolean>;
}

/** JSON (or form fields) over HTTP to one upstream, answered in JSON, with timeouts, rate limiting, classified errors and retries. */
export class UpstreamClient {
  private readonly origin: string;

  constructor(readonly config: UpstreamConfig, private readonly limits: UpstreamRateLimits, private readonly random: () => number = Math.random) {
    this.origin = new URL(config.baseUrl).origin;
  }

  getJson(path: string, query: Record<string, string | number> = {}, opts: CallOptions = {}): Promise<unknown> {
    return this.request('GET', path, { query }, opts);
  }

  async request(method: JsonMethod, path: string, req: RequestBody, opts: CallOptions = {}): Promise<unknown> {
    const url = new URL(path.replace(/^\//, ''), this.config.baseUrl.endsWith('/') ? this.config.baseUrl : `${this.config.baseUrl}/`);
    for (const [k, v] of Object.entries({ ...this.config.query, ...req.query })) url.searchParams.set(k, String(v));
    for (let attempt = 1; ; attempt++) {
      await this.limits.acquire(this.origin, this.config.ratePerSecond, opts.signal);
      const result = await this.attempt(method, url, req, opts.signal);
      if (result.ok) return result.body;
      const { error } = result;
      // A Retry-After holds every request to this upstream, not just this one: the server is over budget for all of them.
      if (error.errorClass === 'rate_limit' && error.details.retryAfterMs) this.limits.pause(this.origin, Date.now() + error.details.retryAfterMs);
      const allowed = opts.retryable?.(error.errorClass) ?? true;
      const budgeted = error.errorClass === 'rate_limit' && opts.rateLimitBudget;
      const decision = !allowed
        ? ({ retry: false, reason: 'not_retryable' } as const)
        : budgeted
          ? budgetDecision(opts.rateLimitBudget!, error.details.retryAfterMs ?? this.config.retry.minDelayMs)
          : retryDecision(error.errorClass, attempt, this.config.retry, error.details.retryAfterMs, this.random);
      if (!decision.retry) {
        throw new UpstreamError(error.errorClass, `${error.message} (attempt ${attempt}, ${decision.reason.replace(/_/g, ' ')})`, { ...error.details, attempts: attempt }, { cause: error });
      }
      opts.onRetry?.({ errorClass: error.errorClass, status: error.details.status, attempt, delayMs: decision.delayMs, message: error.message });
      await sleep(decision.delayMs, opts.signal);
    }
  }

  private async attempt(method: JsonMethod, url: URL, req: RequestBody, signal?: AbortSignal): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    // The token never goes into messages that end up in run records and logs.
    const shown = new URL(url);
    shown.searchParams.delete('access_token');
    const where = `${method} ${shown.pathname}${shown.search}`;
    let res: Response;
    let text: string;
    try {
      const { contentType, body } = encodeBody(req);
      const headers = { accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}), ...this.config.headers };
      res = await fetch(url, { method, headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      // The body is read under the same timeout: a server that stalls mid-body is a timeout too.
      text = await res.text();
    } catch (err) {
      signal?.throwIfAborted();
      return { ok: false, error: new UpstreamError('network', `${where}: ${describeNetworkFailure(err)}`, { url: where }, { cause: err }) };
    }
    const errorClass = classifyStatus(res.status);
    if (errorClass) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      return { ok: false, error: new UpstreamError(errorClass, `${where}: HTTP ${res.status}`, { status: res.status, retryAfterMs, url: where, body: text.slice(0, 500) }) };
    }
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch (err) {
      return { ok: false, error: new UpstreamError('validation', `${where}: response is not JSON`, { status: res.status, url: where }, { cause: err }) };
    }
  }
}

function encodeBody(req: RequestBody): { contentType?: string; body?: string } {
  if (req.form) return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(Object.entries(req.form).map(([k, v]): [string, string] => [k, String(v)])).toString() };
  if (req.body !== undefined) return { contentType: 'application/json', body: JSON.stringify(req.body) };
  return {};
}

function budgetDecision(budget: WaitBudget, waitMs: number): RetryDecision {
  return budget.spend(waitMs) ? { retry: true, delayMs: waitMs } : { retry: false, reason: 'retry_after_too_long' };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}
