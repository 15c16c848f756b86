import { BOUNDED_CONTEXTS, streamName } from '@ripple/contracts';
import { connectBroker } from '@ripple/messaging';
import type { Fault } from './support/fault-run';
import { sleep } from './support/workload';

const APPS = ['profiles', 'venues', 'pets', 'connectors', 'gateway'] as const;
/** The runners' consumers have an AckWait of 30 s: a pause longer than that makes the broker redeliver what the paused app held. */
const PAST_ACK_WAIT_MS = 35_000;

/** Every fault of the suite, injected one at a time. */
export const FAULTS: Fault[] = [
  {
    name: 'broker store wiped',
    topology: 'single',
    inject: ({ nats }) => nats.nodes[0].wipe(),
  },
  ...APPS.map((app): Fault => ({
    name: `SIGKILL ${app}`,
    topology: 'single',
    inject: async ({ ripple }) => {
      await ripple.stopApp(app, 'SIGKILL');
      await sleep(1000);
      await ripple.startApp(app);
    },
  })),
  {
    name: 'broker killed and restarted',
    topology: 'single',
    inject: async ({ nats }) => {
      await nats.nodes[0].kill();
      await sleep(2000);
      await nats.nodes[0].start();
    },
  },
  {
    name: 'consumer (venues) SIGSTOP past AckWait',
    topology: 'single',
    inject: async ({ ripple }) => {
      ripple.signalApp('venues', 'SIGSTOP');
      await sleep(PAST_ACK_WAIT_MS);
      ripple.signalApp('venues', 'SIGCONT');
    },
  },
  {
    name: 'PostgreSQL immediate stop, 5 s',
    topology: 'single',
    inject: async ({ pg }) => {
      await pg.stopImmediate();
      await sleep(5000);
      await pg.start();
    },
  },
  {
    name: 'one of three NATS nodes lost',
    topology: 'cluster',
    // The node the apps were given: they go on through the other two, which hold every stream's replicas.
    inject: async ({ nats, ripple }) => {
      const broker = await connectBroker(nats.url, 'faults-check');
      try {
        for (const context of BOUNDED_CONTEXTS) {
          const { config, cluster } = await broker.jsm.streams.info(streamName(ripple.namespace, context));
          if (config.num_replicas !== 3 || (cluster?.replicas ?? []).length !== 2) throw new Error(`${config.name} is not replicated on three nodes`);
        }
      } finally {
        await broker.nc.close();
      }
      await nats.nodes[0].kill();
    },
  },
];

/** What runs in the normal test suite (about two minutes): the broker losing its store, and a service crash. */
export const CI_FAULTS = ['broker store wiped', 'SIGKILL profiles'];
