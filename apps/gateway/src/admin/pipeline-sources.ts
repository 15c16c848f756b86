import type { PipelineReport } from '@ripple/service-host';
import { upstreamTarget } from '../proxy/request-target';
import { SERVICES, type Upstreams } from '../proxy/route-table';

/** A service the gateway could not ask: named, with why. */
export interface PipelineUnavailable {
  service: string;
  error: string;
}

export interface PipelineSources {
  /** The gateway's own pipeline (its change-feed projections). */
  local(): Promise<PipelineReport>;
  upstreams: Upstreams;
  timeoutMs?: number;
}

/** Every app's pipeline report, the gateway's first; a service that does not answer is listed with its error, never left out. */
export async function gatherPipeline(sources: PipelineSources, authorization: string): Promise<Array<PipelineReport | PipelineUnavailable>> {
  const remote = SERVICES.map((service) => askService(service, sources.upstreams[service], authorization, sources.timeoutMs ?? 3000));
  return Promise.all([sources.local(), ...remote]);
}

async function askService(service: string, base: string, authorization: string, timeoutMs: number): Promise<PipelineReport | PipelineUnavailable> {
  const path = `/api/ops/${service}/pipeline`;
  const to = upstreamTarget(base, path);
  try {
    const res = await fetch(`${to.protocol}//${to.hostname.includes(':') ? `[${to.hostname}]` : to.hostname}${to.port ? `:${to.port}` : ''}${to.path}`, { headers: { authorization }, signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => undefined)) as { data?: PipelineReport; message?: string } | undefined;
    if (res.ok && body?.data) return body.data;
    return { service, error: `${path} answered ${res.status}${body?.message ? `: ${body.message}` : ''}` };
  } catch (err) {
    return { service, error: `unreachable at ${base}: ${(err as Error).message}` };
  }
}
