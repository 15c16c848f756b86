import { startBroadstreetSim } from './broadstreet-simulator';

/**
 * The Broadstreet simulator as a process (`npm start` can run it next to the apps):
 * BROADSTREET_SIM_PORT, BROADSTREET_SIM_TOKEN, BROADSTREET_SIM_NETWORKS, BROADSTREET_SIM_PER_PARENT.
 * A dev tool, not a service: it reads its few variables directly.
 */
async function main(): Promise<void> {
  const env = process.env;
  const sim = await startBroadstreetSim({
    port: Number(env.BROADSTREET_SIM_PORT ?? 3106),
    host: env.BROADSTREET_SIM_HOST ?? '127.0.0.1',
    accessToken: env.BROADSTREET_SIM_TOKEN ?? 'broadstreet-dev-token',
    networks: Number(env.BROADSTREET_SIM_NETWORKS ?? 2),
    perParent: Number(env.BROADSTREET_SIM_PER_PARENT ?? 3),
  });
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'broadstreet-simulator', msg: 'listening', url: sim.url }) + '\n');
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((err) => {
  process.stderr.write(`broadstreet-simulator failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
