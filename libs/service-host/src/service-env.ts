import { AsyncLocalStorage } from 'node:async_hooks';

const scoped = new AsyncLocalStorage<NodeJS.ProcessEnv>();

/**
 * The environment a service reads its settings from: the process's, unless the
 * service is being created inside `withServiceEnv` (several services hosted in
 * one process, each with its own PORT and upstream URLs).
 */
export const serviceEnv = (): NodeJS.ProcessEnv => scoped.getStore() ?? process.env;

/** Runs `create` (a service's creation: its providers' factories read `serviceEnv()`) with `env` as its environment. */
export const withServiceEnv = <T>(env: NodeJS.ProcessEnv, create: () => Promise<T>): Promise<T> => scoped.run(env, create);
