/**
 * One typed config per app, read once at boot from an environment object.
 * Development defaults apply unless NODE_ENV=production, where a variable
 * with only a development default must be set explicitly.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Kind = 'string' | 'int' | 'url' | 'bool';
export interface VarSpec<K extends Kind> {
  kind: K;
  /** Used in any environment when the variable is unset. */
  default?: string;
  /** Used only outside production, with a warning. */
  devDefault?: string;
  /** Extra check; returns a problem or undefined. */
  check?: (value: string) => string | undefined;
}
type Value<K extends Kind> = K extends 'int' ? number : K extends 'bool' ? boolean : string;
export type ConfigSpec = Record<string, VarSpec<Kind>>;
export type ConfigOf<S extends ConfigSpec> = { readonly [N in keyof S]: Value<S[N]['kind']> };

export const str = (opts: Omit<VarSpec<'string'>, 'kind'> = {}): VarSpec<'string'> => ({ kind: 'string', ...opts });
export const int = (opts: Omit<VarSpec<'int'>, 'kind'> = {}): VarSpec<'int'> => ({ kind: 'int', ...opts });
export const url = (opts: Omit<VarSpec<'url'>, 'kind'> = {}): VarSpec<'url'> => ({ kind: 'url', ...opts });
export const bool = (opts: Omit<VarSpec<'bool'>, 'kind'> = {}): VarSpec<'bool'> => ({ kind: 'bool', ...opts });

export interface LoadedConfig<S extends ConfigSpec> {
  values: ConfigOf<S>;
  production: boolean;
  /** Variables that fell back to a development default (to log as a warning). */
  devDefaultsUsed: string[];
}

export function loadConfig<S extends ConfigSpec>(spec: S, env: Record<string, string | undefined>): LoadedConfig<S> {
  const production = env.NODE_ENV === 'production';
  const problems: string[] = [];
  const devDefaultsUsed: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(spec)) {
    let raw = env[name];
    if (raw === undefined || raw === '') {
      if (v.default !== undefined) raw = v.default;
      else if (v.devDefault !== undefined && !production) {
        raw = v.devDefault;
        devDefaultsUsed.push(name);
      } else {
        problems.push(`${name} is required${v.devDefault !== undefined ? ' when NODE_ENV=production' : ''}`);
        continue;
      }
    } else if (production && v.devDefault !== undefined && raw === v.devDefault) {
      problems.push(`${name} must not use the development default when NODE_ENV=production`);
      continue;
    }
    const parsed = parse(name, v.kind, raw);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
      problems.push((parsed as { problem: string }).problem);
      continue;
    }
    const extra = v.check?.(raw as string);
    if (extra) problems.push(`${name} ${extra}`);
    values[name] = parsed;
  }
  if (problems.length) throw new ConfigError(problems);
  return { values: values as ConfigOf<S>, production, devDefaultsUsed };
}

function parse(name: string, kind: Kind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'int': {
      const n = Number(raw);
      return Number.isInteger(n) ? n : { problem: `${name} must be an integer, got "${raw}"` };
    }
    case 'bool':
      if (['true', '1', 'yes'].includes(raw)) return true;
      if (['false', '0', 'no'].includes(raw)) return false;
      return { problem: `${name} must be true or false, got "${raw}"` };
    case 'url':
      try {
        new URL(raw);
        return raw;
      } catch {
        return { problem: `${name} must be a URL, got "${raw}"` };
      }
    default: {
      const never: never = kind;
      return never;
    }
  }
}
