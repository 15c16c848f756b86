import { startSimulator } from './simulator';

/**
 * The NowRepBlue simulator as a process (`npm start` runs it next to the apps):
 * SIM_PORT, SIM_TALENTS (dataset size), SIM_SEED, SIM_API_KEY. This is a dev
 * tool, not a service: it reads its few variables directly.
 */
async function main(): Promise<void> {
  const env = process.env;
  const sim = await startSimulator({
    port: Number(env.SIM_PORT ?? 3105),
    host: env.SIM_HOST ?? '127.0.0.1',
    talents: Number(env.SIM_TALENTS ?? 200),
    seed: Number(env.SIM_SEED ?? 42),
    apiKey: env.SIM_API_KEY ?? 'nowrepblue-dev-key',
  });
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'nowrepblue-simulator', msg: 'listening', url: sim.url, records: sim.recordCount() }) + '\n');
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main().catch((err) => {
  process.stderr.write(`nowrepblue-simulator failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
