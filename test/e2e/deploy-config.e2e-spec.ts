/**
 * deploy/ holds no code to run here (no Docker, no Kubernetes, no promtool), so
 * this checks what can be checked: every file parses; every series an alert or
 * a dashboard panel reads is one the apps export (scraped from a running
 * stack); the NATS configurations pass `nats-server -t`; and the compose file
 * and the Kubernetes manifests start the apps' real entry points with the
 * variables their typed configs read, enough of them to boot in production.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, type ConfigSpec } from '@ripple/config';
import { connectorsDefinition } from '../../apps/connectors/src/connectors.definition';
import { gatewayDefinition } from '../../apps/gateway/src/gateway.definition';
import { petsDefinition } from '../../apps/pets/src/pets.definition';
import { profilesDefinition } from '../../apps/profiles/src/profiles.definition';
import { venuesDefinition } from '../../apps/venues/src/venues.definition';
import { APP_NODE_FLAGS, startRipple, type RunningRipple } from './support/ripple-processes';

const ROOT = join(__dirname, '..', '..');
const DEPLOY = join(ROOT, 'deploy');
const CONFIGS: Record<string, ConfigSpec> = {
  profiles: profilesDefinition.config, venues: venuesDefinition.config, pets: petsDefinition.config, connectors: connectorsDefinition.config, gateway: gatewayDefinition.config,
};
const APPS = Object.keys(CONFIGS);
const read = (...p: string[]) => readFileSync(join(DEPLOY, ...p), 'utf8');
const yamlDocs = (...p: string[]) => parseAllDocuments(read(...p)).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS({ maxAliasCount: -1 });
});
const files = (dir: string): string[] => readdirSync(join(DEPLOY, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));

/** A value a secret or a required variable could hold: a URL where the config wants one. */
const stand_in = (spec: ConfigSpec, name: string) => (spec[name]?.kind === 'url' ? 'https://upstream.example.test/api' : 'a-deployment-secret-0123456789');

/** The app's typed config accepts this environment in production, and reads every variable in it. */
function expectBootableConfig(app: string, env: Record<string, string>) {
  const spec = CONFIGS[app];
  expect(Object.keys(env).filter((name) => !(name in spec))).toEqual([]);
  expect(() => loadConfig(spec, { ...env, NODE_ENV: 'production' })).not.toThrow();
}

/** `node [flags] apps/<app>/dist/main.js`, whose source exists. */
function expectEntryPoint(command: string[], app: string, flags: readonly string[] = []) {
  expect(command).toEqual(['node', ...flags, `apps/${app}/dist/main.js`]);
  expect(existsSync(join(ROOT, 'apps', app, 'src', 'main.ts'))).toBe(true);
}

describe('every file in deploy/ parses', () => {
  it.each(files('.').filter((f) => /\.(ya?ml|json)$/.test(f)))('%s', (file) => {
    if (file.endsWith('.json')) expect(() => JSON.parse(read(file))).not.toThrow();
    else expect(yamlDocs(file).length).toBeGreaterThan(0);
  });
});

describe('alerts and the dashboard read series the apps export', () => {
  let ripple: RunningRipple;
  const exported = new Set<string>(['up']);

  beforeAll(async () => {
    ripple = await startRipple({ LOG_LEVEL: 'warn' });
    for (const app of APPS) {
      const text = await (await fetch(`http://127.0.0.1:${ripple.ports[app as keyof RunningRipple['ports']]}/metrics`)).text();
      for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
        exported.add(name);
        if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(name + s);
      }
    }
  }, 90_000);

  afterAll(() => ripple?.stop());

  const seriesIn = (expr: string) => [...expr.matchAll(/\b((?:ripple|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)\s!=<>]|$)/g)].map((m) => m[1]);
  const alerts = () => (yamlDocs('prometheus', 'alerts.yml')[0].groups as { rules: { alert: string; expr: string }[] }[]).flatMap((g) => g.rules);
  const panels = () => (JSON.parse(read('grafana', 'dashboards', 'ripple.json')).panels as { title: string; targets?: { expr: string }[] }[]).filter((p) => p.targets);

  it('every alert rule', () => {
    for (const rule of alerts()) {
      const series = seriesIn(rule.expr);
      expect({ alert: rule.alert, series: series.length > 0 }).toEqual({ alert: rule.alert, series: true });
      expect({ alert: rule.alert, unknown: series.filter((s) => !exported.has(s)) }).toEqual({ alert: rule.alert, unknown: [] });
    }
  });

  it('the alerts cover projection lag, dead letters, outbox backlog, 5xx rate and slow consumers cut', () => {
    const exprs = alerts().map((r) => r.expr).join('\n');
    for (const needed of ['ripple_projection_lag', 'ripple_dead_letters', 'ripple_outbox_backlog', 'ripple_http_requests_total{status=~"5.."}', 'ripple_sync_slow_consumers_dropped_total']) expect(exprs).toContain(needed);
  });

  it('every dashboard panel', () => {
    expect(panels().length).toBeGreaterThan(10);
    for (const panel of panels()) {
      const series = panel.targets!.flatMap((t) => seriesIn(t.expr));
      expect({ panel: panel.title, series: series.length > 0, unknown: series.filter((s) => !exported.has(s)) }).toEqual({ panel: panel.title, series: true, unknown: [] });
    }
  });
});

describe('Prometheus and Grafana wiring', () => {
  it('Prometheus loads the alert rules and scrapes every app of the compose file on its port', () => {
    const prom = parse(read('prometheus', 'prometheus.yml'));
    const compose = parse(read('docker-compose.yml'), { merge: true });
    expect(prom.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(compose.services.prometheus.volumes).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const targets: string[] = prom.scrape_configs[0].static_configs[0].targets;
    expect(targets.map((t) => t.split(':')[0]).sort()).toEqual([...APPS].sort());
    for (const t of targets) expect(String(compose.services[t.split(':')[0]].environment.PORT)).toBe(t.split(':')[1]);
  });

  it('Grafana is provisioned with the data source the dashboard names', () => {
    const sources = parse(read('grafana', 'provisioning', 'datasources', 'prometheus.yml')).datasources;
    const uids = new Set(JSON.parse(read('grafana', 'dashboards', 'ripple.json')).panels.filter((p: { datasource?: unknown }) => p.datasource).map((p: { datasource: { uid: string } }) => p.datasource.uid));
    expect([...uids]).toEqual(['prometheus']);
    expect(sources.find((s: { uid: string }) => s.uid === 'prometheus').url).toBe('http://prometheus:9090');
  });
});

describe('the NATS cluster configurations', () => {
  const check = (conf: string, env: Record<string, string>) => {
    const file = join(tmpdir(), `ripple-nats-${process.pid}-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(file, conf);
    return execFileSync('nats-server', ['-t', '-c', file], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  };

  it('compose: three nodes of deploy/nats/cluster.conf, each its own name, routing to all three', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true });
    const nodes = ['nats-1', 'nats-2', 'nats-3'];
    for (const n of nodes) {
      expect(compose.services[n].environment.NATS_SERVER_NAME).toBe(n);
      expect(compose.services[n].networks.default.aliases).toEqual(['nats']);
      expect(() => check(read('nats', 'cluster.conf'), { NATS_SERVER_NAME: n })).not.toThrow();
    }
    expect([...read('nats', 'cluster.conf').matchAll(/nats-route:\/\/([^:]+):6222/g)].map((m) => m[1])).toEqual(nodes);
  });

  it('Kubernetes: the StatefulSet\'s three pods, routed through its headless Service', () => {
    const docs = yamlDocs('k8s', 'nats.yaml');
    const set = docs.find((d) => d.kind === 'StatefulSet');
    const conf = docs.find((d) => d.kind === 'ConfigMap').data['nats.conf'];
    expect(set.spec.replicas).toBe(3);
    expect(() => check(conf, { POD_NAME: 'nats-0' })).not.toThrow();
    expect([...conf.matchAll(/nats-route:\/\/([^:]+):6222/g)].map((m: RegExpMatchArray) => m[1])).toEqual([0, 1, 2].map((i) => `nats-${i}.${set.spec.serviceName}`));
  });
});

describe('the compose file runs each app as its typed config expects', () => {
  const compose = parse(read('docker-compose.yml'), { merge: true });
  /** Compose's interpolation: `${X:-default}` → default, `${X:?message}` → what an operator would set. */
  const resolve = (app: string, value: unknown) =>
    String(value).replace(/\$\{(\w+)(?::-([^}]*)|:\?[^}]*)?\}/g, (_, name: string, fallback?: string) => fallback ?? stand_in(CONFIGS[app], name));

  it.each(APPS)('%s', (app) => {
    const service = compose.services[app];
    // Compose runs every app on one host, as `npm start` does: with the same flags.
    expectEntryPoint(service.command, app, APP_NODE_FLAGS);
    const env = Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, resolve(app, v)]));
    expectBootableConfig(app, env);
  });

  it('the gateway reaches each service where compose runs it', () => {
    const env = compose.services.gateway.environment;
    for (const app of APPS.filter((a) => a !== 'gateway')) expect(env[`${app.toUpperCase()}_URL`]).toBe(`http://${app}:${compose.services[app].environment.PORT}`);
  });

  it('the development profile runs both simulators, reachable from the other containers', () => {
    const simulator = { build: { context: '..', dockerfile: 'deploy/Dockerfile', target: 'simulators' }, profiles: ['dev'] };
    expect(compose.services['nowrepblue-simulator']).toMatchObject({ ...simulator, command: ['node', 'test/simulators/dist/nowrepblue/main.js'], environment: { SIM_HOST: '0.0.0.0' } });
    expect(compose.services['broadstreet-simulator']).toMatchObject({ ...simulator, command: ['node', 'test/simulators/dist/broadstreet/main.js'], environment: { BROADSTREET_SIM_HOST: '0.0.0.0' } });
    for (const main of ['nowrepblue', 'broadstreet']) expect(existsSync(join(ROOT, 'test', 'simulators', 'src', main, 'main.ts'))).toBe(true);
    expect(read('Dockerfile')).toMatch(/^FROM \S+ AS simulators$/m);
    expect(parse(read('otel', 'collector.yaml')).exporters['otlp/jaeger'].endpoint).toBe(`jaeger:4317`);
    expect(compose.services.jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe('true');
  });

  it('every app sends its traces to the collector\'s OTLP/HTTP receiver', () => {
    const receiver = parse(read('otel', 'collector.yaml')).receivers.otlp.protocols.http.endpoint as string;
    for (const app of APPS) expect(resolve(app, compose.services[app].environment.OTEL_EXPORTER_OTLP_ENDPOINT)).toBe(`http://otel-collector:${receiver.split(':')[1]}`);
    expect(compose.services['otel-collector'].volumes).toContain('./otel/collector.yaml:/etc/otelcol/config.yaml:ro');
  });
});

describe('the Kubernetes manifests', () => {
  const docs = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').flatMap((f) => yamlDocs('k8s', f));
  const of = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
  const config = of('ConfigMap', 'ripple-config').data as Record<string, string>;
  // The keys the README tells an operator to put in the ripple-secrets Secret.
  const SECRET_KEYS = ['DATABASE_URL', 'JWT_SECRET', 'ADMIN_PASSWORD', 'SYNC_SECRET_KEY', 'NOWREPBLUE_BASE_URL', 'NOWREPBLUE_API_KEY', 'BROADSTREET_ACCESS_TOKEN', 'POSTGRES_PASSWORD'];

  it('kustomization lists every manifest', () => {
    const listed = parse(read('k8s', 'kustomization.yaml')).resources.sort();
    expect(listed).toEqual(readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort());
  });

  it('the README names every key of the secret the manifests read', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const used = new Set(JSON.stringify(docs).match(/"secretKeyRef":\{"name":"ripple-secrets","key":"(\w+)"/g)!.map((m) => m.replace(/.*"key":"/, '').replace('"', '')));
    expect([...used].sort()).toEqual([...SECRET_KEYS].sort());
    expect(SECRET_KEYS.filter((key) => !readme.includes(`--from-literal=${key}=`))).toEqual([]);
  });

  it.each(APPS)('%s: two replicas or more, its entry point, its typed config, probes on its port, a Service and a scrape annotation', (app) => {
    const deployment = of('Deployment', app);
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expectEntryPoint(container.command, app);
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: { configMapKeyRef?: { key: string }; secretKeyRef?: { key: string } } }) => {
      if (e.value !== undefined) return [e.name, e.value];
      const fromConfig = e.valueFrom?.configMapKeyRef?.key;
      if (fromConfig) {
        expect(config).toHaveProperty([fromConfig]);
        return [e.name, config[fromConfig]];
      }
      expect(SECRET_KEYS).toContain(e.valueFrom!.secretKeyRef!.key);
      return [e.name, stand_in(CONFIGS[app], e.name)];
    }));
    expectBootableConfig(app, env);
    const port = Number(env.PORT);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.resources.requests).toEqual({ cpu: expect.stringMatching(/^\d+m$/), memory: expect.stringMatching(/^\d+Mi$/) });
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
    expect(of('Service', app).spec).toMatchObject({ selector: pod.metadata.labels && { 'app.kubernetes.io/name': app }, ports: [{ port, targetPort: 'http' }] });
  });

  it('the gateway\'s upstreams and every app\'s NATS and PostgreSQL are Services of these manifests, on their ports', () => {
    for (const app of APPS.filter((a) => a !== 'gateway')) {
      const url = new URL(config[`${app.toUpperCase()}_URL`]);
      expect(of('Service', url.hostname).spec.ports[0].port).toBe(Number(url.port));
    }
    const nats = new URL(config.NATS_URL);
    expect(of('Service', nats.hostname).spec.ports[0].port).toBe(Number(nats.port));
    expect(of('StatefulSet', 'postgres').spec.template.spec.containers[0].ports[0].containerPort).toBe(5432);
    expect(of('Service', 'postgres').spec.ports[0].port).toBe(5432);
  });
});
