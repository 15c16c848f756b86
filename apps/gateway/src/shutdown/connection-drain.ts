import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { JsonLogger } from '@ripple/observability';
import { UpstreamProxy } from '../proxy/upstream-proxy';

export const SHUTDOWN_GRACE_MS = Symbol('SHUTDOWN_GRACE_MS');

/**
 * Bounds shutdown: Nest stops accepting and waits for open requests, but a
 * stream (SSE) never ends by itself, so after the grace period the remaining
 * connections are cut and clients reconnect to another instance.
 */
@Injectable()
export class ConnectionDrain implements BeforeApplicationShutdown, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly proxy: UpstreamProxy,
    private readonly logger: JsonLogger,
    @Inject(SHUTDOWN_GRACE_MS) private readonly graceMs: number,
  ) {}

  beforeApplicationShutdown(signal?: string): void {
    this.logger.event('info', 'shutting down', { signal, graceMs: this.graceMs });
    const server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.timer = setTimeout(() => server.closeAllConnections(), this.graceMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    this.proxy.close();
    this.logger.event('info', 'stopped');
  }
}
