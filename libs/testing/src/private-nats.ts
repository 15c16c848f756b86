import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort } from './harness';

const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';
/** A node that does not exit on SIGTERM within this long is killed. */
const STOP_GRACE_MS = 10_000;

/** One nats-server of a test's own, which the test may kill, restart and wipe. */
export interface PrivateNatsNode {
  /** Its `server_name` (n1, n2, ...). */
  name: string;
  url: string;
  /** Its monitoring endpoint (`/healthz`, `/jsz`). */
  monitorUrl: string;
  storeDir: string;
  running(): boolean;
  /** Starts it and waits until it reports healthy (in a cluster: in contact with a JetStream meta leader). */
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kill, delete its store, start empty. */
  wipe(): Promise<void>;
}

export interface PrivateNats {
  /** The first node's URL (a client learns the other nodes from the one it reaches). */
  url: string;
  nodes: PrivateNatsNode[];
  /** Every node's name, once they agree on a JetStream meta leader (just the node's own name on one node). */
  metaLeader(): Promise<string>;
  /** SIGTERM to every node (SIGKILL to one that lingers), then its data directory is removed if this helper made it. */
  stop(): Promise<void>;
}

/**
 * nats-server with JetStream on free loopback ports, its data in its own
 * directory: one node, or a cluster of three routing to each other (a config
 * file per node: server_name, cluster routes, jetstream store_dir). Resolves
 * once a cluster has elected its JetStream meta leader. Never the shared server.
 */
export async function startPrivateNats(opts: { nodes?: 1 | 3; dir?: string } = {}): Promise<PrivateNats> {
  const count = opts.nodes ?? 1;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ripple-nats-'));
  const ports = await Promise.all(Array.from({ length: count }, async () => ({ client: await freePort(), cluster: await freePort(), http: await freePort() })));
  const nodes = ports.map((p, i) => {
    const routes = ports.filter((_, j) => j !== i).map((o) => `nats-route://127.0.0.1:${o.cluster}`);
    return natsNode(join(dir, `n${i + 1}`), `n${i + 1}`, p, count > 1 ? routes : undefined);
  });
  // Cluster nodes are healthy only once they reach each other: start them together.
  await Promise.all(nodes.map((n) => n.start()));
  const leaderSeenBy = async (n: PrivateNatsNode) => ((await (await fetch(`${n.monitorUrl}/jsz`)).json()) as Jsz).meta_cluster?.leader;
  const metaLeader = () => eventually(async () => {
    if (count === 1) return nodes[0].name;
    const leaders = await Promise.all(nodes.filter((n) => n.running()).map(leaderSeenBy));
    return leaders.every((l) => l && l === leaders[0]) && leaders[0];
  }, { timeoutMs: 60_000, intervalMs: 100, what: 'a JetStream meta leader all nodes agree on' });
  await metaLeader();
  return {
    url: nodes[0].url,
    nodes,
    metaLeader,
    stop: async () => {
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The part of a node's `/jsz` answer read here. */
interface Jsz {
  meta_cluster?: { leader?: string };
}

function natsNode(dir: string, name: string, ports: { client: number; cluster: number; http: number }, routes?: string[]): PrivateNatsNode {
  const storeDir = join(dir, 'store');
  const conf = join(dir, 'nats.conf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(conf, [
    `server_name: ${name}`,
    `listen: 127.0.0.1:${ports.client}`,
    `http: 127.0.0.1:${ports.http}`,
    `jetstream { store_dir: "${storeDir}" }`,
    ...(routes ? [`cluster { name: ripple-test, listen: 127.0.0.1:${ports.cluster}, routes: [${routes.join(', ')}] }`] : []),
  ].join('\n'));
  let child: ChildProcess | undefined;
  const monitorUrl = `http://127.0.0.1:${ports.http}`;
  const node: PrivateNatsNode = {
    name,
    url: `nats://127.0.0.1:${ports.client}`,
    monitorUrl,
    storeDir,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    start: async () => {
      const started = spawn(NATS_SERVER, ['-c', conf], { stdio: 'ignore' });
      child = started;
      await eventually(async () => {
        if (started.exitCode !== null) throw new Error(`nats-server ${name} exited with ${started.exitCode}`);
        return (await fetch(`${monitorUrl}/healthz`)).ok;
      }, { timeoutMs: 60_000, intervalMs: 100, what: `nats-server ${name} to be ready` });
    },
    kill: async (signal = 'SIGKILL') => {
      const running = child;
      if (!running || !node.running()) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      const lingering = setTimeout(() => running.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(lingering);
    },
    wipe: async () => {
      await node.kill();
      rmSync(storeDir, { recursive: true, force: true });
      await node.start();
    },
  };
  return node;
}
