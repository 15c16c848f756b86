const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `100kb` → 102400: how BODY_LIMIT is read, by the services' JSON parser and the gateway's proxy alike. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  return m ? Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]) : undefined;
}

/** The check for a size setting such as BODY_LIMIT. */
export const byteSizeCheck = (v: string): string | undefined => (parseByteSize(v) === undefined ? 'must be a size such as 512b, 100kb or 1mb' : undefined);
