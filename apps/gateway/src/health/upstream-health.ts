import http from 'node:http';
import https from 'node:https';
import type { HealthCheck } from '@ripple/observability';
import { upstreamTarget } from '../proxy/request-target';
import { SERVICES, type Upstreams } from '../proxy/route-table';

/** The gateway is ready when it runs and every upstream's own /health/ready says 200. */
export function upstreamHealthChecks(upstreams: Upstreams, timeoutMs = 1500): HealthCheck[] {
  return [
    { name: 'gateway', check: async () => undefined },
    ...SERVICES.map((service) => ({ name: service, check: () => probe(upstreams[service], timeoutMs) })),
  ];
}

export const UPSTREAM_READINESS = '/health/ready';

function probe(base: string, timeoutMs: number): Promise<void> {
  const to = upstreamTarget(base, UPSTREAM_READINESS);
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a probe must not ride on a pooled socket that may be stale.
    const req = (to.protocol === 'https:' ? https : http).get({ ...to, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`${UPSTREAM_READINESS} answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`${UPSTREAM_READINESS} gave no answer within ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}
