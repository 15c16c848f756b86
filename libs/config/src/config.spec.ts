import { ConfigError, int, loadConfig, str, url } from './config';

const spec = { PORT: int({ default: '3000' }), SECRET: str({ devDefault: 'dev-secret' }), DB: url({ devDefault: 'postgres://x@h/db' }) };

describe('loadConfig', () => {
  it('uses development defaults outside production and says which', () => {
    const c = loadConfig(spec, {});
    expect(c.values).toEqual({ PORT: 3000, SECRET: 'dev-secret', DB: 'postgres://x@h/db' });
    expect(c.devDefaultsUsed).toEqual(['SECRET', 'DB']);
  });

  it('refuses missing or default secrets in production, naming each variable', () => {
    expect(() => loadConfig(spec, { NODE_ENV: 'production', SECRET: 'dev-secret' })).toThrow(/SECRET must not use the development default[\s\S]*DB is required/);
  });

  it('names a badly typed variable', () => {
    expect(() => loadConfig(spec, { PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig(spec, { PORT: 'eighty' })).toThrow(/PORT must be an integer, got "eighty"/);
    expect(() => loadConfig(spec, { DB: 'nope' })).toThrow(/DB must be a URL/);
  });
});
