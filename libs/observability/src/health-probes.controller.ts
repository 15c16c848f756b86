import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import type { HealthCheck } from './health';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/**
 * Kubernetes-style probes (terminus): `live` says the process runs and serves
 * HTTP, and never asks a dependency (a database outage must not get the process
 * restarted); `ready` asks every dependency the app declared.
 */
@Controller('health')
export class HealthProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  @Get('live')
  live(@Res() res: unknown) {
    return this.answer(res, () => this.health.check([() => this.indicator.check('process').up({ pid: process.pid, uptimeSeconds: Math.round(process.uptime()) })]));
  }

  @Get('ready')
  ready(@Res() res: unknown) {
    return this.answer(res, () => this.health.check(this.checks.map((c) => () => this.indicator.check(c.name).attempt(() => c.check()).withTimeout(2000))));
  }

  /** Terminus's own body either way: a failed check is a 503, not an error for the app's error filter to reshape. */
  private async answer(res: unknown, run: () => Promise<HealthCheckResult>): Promise<void> {
    const http = this.adapterHost.httpAdapter;
    try {
      http.reply(res, await run(), 200);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      http.reply(res, err.getResponse(), 503);
    }
  }
}
