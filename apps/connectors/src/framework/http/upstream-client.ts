import type { UpstreamErrorClass } from '@ripple/contracts';
import { retryDecision, type RetryPolicy } from './backoff';
import { classifyStatus, describeNetworkFailure, parseRetryAfter } from './classify';
import type { UpstreamRateLimits } from './token-bucket';
import { UpstreamError } from './upstream.errors';

export interface UpstreamConfig {
  /** From the app's config only: never from a request. */
  baseUrl: string;
  headers: Record<string, string>;
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
}

type Attempt = { ok: true; body: unknown } | { ok: false; error: UpstreamError };

/** JSON over HTTP to one upstream, with timeouts, rate limiting, classified errors and retries. */
export class UpstreamClient {
  private readonly origin: string;

  constructor(readonly config: UpstreamConfig, private readonly limits: UpstreamRateLimits, private readonly random: () => number = Math.random) {
    this.origin = new URL(config.baseUrl).origin;
  }

  async getJson(path: string, query: Record<string, string | number> = {}, opts: CallOptions = {}): Promise<unknown> {
    const url = new URL(path.replace(/^\//, ''), this.config.baseUrl.endsWith('/') ? this.config.baseUrl : `${this.config.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
    for (let attempt = 1; ; attempt++) {
      await this.limits.acquire(this.origin, this.config.ratePerSecond, opts.signal);
      const result = await this.attempt(url, opts.signal);
      if (result.ok) return result.body;
      const { error } = result;
      const decision = retryDecision(error.errorClass, attempt, this.config.retry, error.details.retryAfterMs, this.random);
      if (!decision.retry) {
        throw new UpstreamError(error.errorClass, `${error.message} (attempt ${attempt}, ${decision.reason.replace(/_/g, ' ')})`, { ...error.details, attempts: attempt }, { cause: error });
      }
      opts.onRetry?.({ errorClass: error.errorClass, status: error.details.status, attempt, delayMs: decision.delayMs, message: error.message });
      await sleep(decision.delayMs, opts.signal);
    }
  }

  private async attempt(url: URL, signal?: AbortSignal): Promise<Attempt> {
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const where = `GET ${url.pathname}${url.search}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { headers: { accept: 'application/json', ...this.config.headers }, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      // The body is read under the same timeout: a server that stalls mid-body is a timeout too.
      text = await res.text();
    } catch (err) {
      signal?.throwIfAborted();
      return { ok: false, error: new UpstreamError('network', `${where}: ${describeNetworkFailure(err)}`, { url: where }, { cause: err }) };
    }
    const errorClass = classifyStatus(res.status);
    if (errorClass) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      return { ok: false, error: new UpstreamError(errorClass, `${where}: HTTP ${res.status}`, { status: res.status, retryAfterMs, url: where }) };
    }
    try {
      return { ok: true, body: JSON.parse(text) };
    } catch (err) {
      return { ok: false, error: new UpstreamError('validation', `${where}: response is not JSON`, { status: res.status, url: where }, { cause: err }) };
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });
}
