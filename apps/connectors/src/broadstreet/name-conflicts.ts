/**
 * The first of `Name`, `Name (1)`, `Name (2)`, ... that is not taken under the
 * same parent: what document 004 asks for when an exported name already exists.
 */
export function resolveName(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base} (${n})`;
    if (!used.has(candidate)) return candidate;
  }
}
