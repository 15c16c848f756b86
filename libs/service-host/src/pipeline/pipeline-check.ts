import type { BoundedContext } from '@ripple/contracts';
import type { OutboxRelay } from '@ripple/relay';
import { ensureStream, type Broker, type StreamSettings } from '@ripple/messaging';
import { Gauge } from 'prom-client';
import type { JsonLogger, RippleMetrics } from '@ripple/observability';
import type { ProjectionRunner } from '@ripple/projections';

export interface PipelineCheckOptions {
  namespace: string;
  contexts: BoundedContext[];
  streams: StreamSettings;
  intervalMs: number;
}

/**
 * The slow periodic check of what a service's pipeline needs on the broker: every
 * stream it uses and every consumer it reads exist (re-created when missing), and
 * its relay's stream still holds what it published. The relay and runners heal on
 * their own error paths at once; this catches what no operation has run into yet,
 * e.g. a consumer whose stream is idle. Nothing of it runs per message. Each pass
 * also records the streams' sizes (messages, bytes) as gauges.
 */
export class PipelineCheck {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly messages: Gauge<'stream'>;
  private readonly bytes: Gauge<'stream'>;

  constructor(
    private readonly broker: Broker,
    private readonly relay: OutboxRelay | undefined,
    private readonly runners: ProjectionRunner[],
    private readonly opts: PipelineCheckOptions,
    metrics: RippleMetrics,
    private readonly logger: JsonLogger,
  ) {
    const registers = [metrics.registry];
    this.messages = new Gauge({ name: 'ripple_stream_messages', help: 'Messages a JetStream stream this service uses holds (at the last pipeline check)', labelNames: ['stream'], registers });
    this.bytes = new Gauge({ name: 'ripple_stream_bytes', help: 'Bytes a JetStream stream this service uses holds (at the last pipeline check)', labelNames: ['stream'], registers });
  }

  start(): void {
    void this.run();
    this.timer = setInterval(() => void this.run(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; a pass still running when the next is due is not doubled. */
  run(): Promise<void> {
    return (this.running ??= this.pass().finally(() => (this.running = undefined)));
  }

  private async pass(): Promise<void> {
    if (this.broker.nc.isClosed()) return;
    try {
      for (const c of this.opts.contexts) {
        const { config, state } = await ensureStream(this.broker, this.opts.namespace, c, this.opts.streams);
        this.messages.set({ stream: config.name }, state.messages);
        this.bytes.set({ stream: config.name }, state.bytes);
      }
      for (const r of this.runners) await r.ensureConsumer();
    } catch (err) {
      this.logger.event('warn', 'pipeline check failed; next one in a while', { error: (err as Error).message, inMs: this.opts.intervalMs });
      return;
    }
    await this.relay?.checkStream();
  }
}
