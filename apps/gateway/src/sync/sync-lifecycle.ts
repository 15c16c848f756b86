import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { FeedNotifier } from '../feed/feed-notifier';
import type { FeedRetention } from '../feed/feed-retention';
import type { SyncHub } from './sync-hub';
import { SyncEdge } from './sync-edge';
import { attachSyncWebSocket, type WsOptions } from './ws-upgrade';

export const SYNC_RUNTIME = Symbol('SYNC_RUNTIME');
export interface SyncRuntime {
  notifier: FeedNotifier;
  retention: FeedRetention;
  hub: SyncHub;
  ws: WsOptions;
}

/** Starts listening for feed commits, accepting WebSockets and pruning the feed; on shutdown, closes every connection with its cursor first. */
@Injectable()
export class SyncLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private detachWs?: () => void;

  constructor(private readonly adapterHost: HttpAdapterHost, @Inject(SyncEdge) private readonly edge: SyncEdge, @Inject(SYNC_RUNTIME) private readonly sync: SyncRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    this.detachWs = attachSyncWebSocket(this.adapterHost.httpAdapter.getHttpServer() as Server, this.edge, this.sync.ws);
    await this.sync.notifier.start();
    this.sync.retention.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.sync.hub.closeAll('shutting_down');
    this.detachWs?.();
    await this.sync.notifier.stop();
    await this.sync.retention.stop();
  }
}
