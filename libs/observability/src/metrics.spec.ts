import { EVENT_LOOP_SAMPLE_MS, RippleMetrics } from './metrics';

describe('RippleMetrics', () => {
  it(`samples the event loop every ${EVENT_LOOP_SAMPLE_MS} ms and still reports a loop blocked between two samples`, async () => {
    const metrics = new RippleMetrics('spec');
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_LOOP_SAMPLE_MS));
    const blockedUntil = Date.now() + 250;
    while (Date.now() < blockedUntil) {
      /* a handler that never yields */
    }
    await new Promise((resolve) => setTimeout(resolve, 2 * EVENT_LOOP_SAMPLE_MS));
    const text = await metrics.registry.metrics();
    const max = Number(/^nodejs_eventloop_lag_max_seconds\{[^}]*\} (\S+)$/m.exec(text)?.[1]);
    expect(max).toBeGreaterThanOrEqual(0.2);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{service="spec"\} /m);
  });
});
