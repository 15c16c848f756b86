/** Live projection batches by path (`ripple_projection_batches_total`): projection → path → count. */
export type BatchPaths = Record<string, Record<string, number>>;

const SERIES = /^ripple_projection_batches_total\{([^}]*)\}\s+([0-9.e+]+)$/;
const label = (labels: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1];

/** Sums every app's counts, read from their /metrics. */
export async function readBatchPaths(ports: Record<string, number>): Promise<BatchPaths> {
  const out: BatchPaths = {};
  for (const port of Object.values(ports)) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = SERIES.exec(line);
      const [projection, path] = m ? [label(m[1], 'projection'), label(m[1], 'path')] : [];
      if (!m || !projection || !path) continue;
      (out[projection] ??= {})[path] = (out[projection][path] ?? 0) + Number(m[2]);
    }
  }
  return out;
}

/** What `after` counted beyond `before`. */
export function batchPathsSince(before: BatchPaths, after: BatchPaths): BatchPaths {
  const out: BatchPaths = {};
  for (const [projection, paths] of Object.entries(after)) {
    for (const [path, n] of Object.entries(paths)) (out[projection] ??= {})[path] = n - (before[projection]?.[path] ?? 0);
  }
  return out;
}
