import { createContext, createElement, useContext, useEffect, type ReactNode } from 'react';
import type { SyncClient } from '../sync-client.js';

const SyncContext = createContext<SyncClient | null>(null);

export interface SyncProviderProps {
  /** One client per signed-in user: give a new one (a new `key`) when the user changes. */
  client: SyncClient;
  /** Start the client on mount and stop it on unmount (default true). */
  autoStart?: boolean;
  children?: ReactNode;
}

export class MissingSyncProviderError extends Error {
  constructor() {
    super('a Ripple hook was used outside <SyncProvider>');
    this.name = 'MissingSyncProviderError';
  }
}

/** Makes a SyncClient available to the hooks below it, and runs it while mounted. */
export function SyncProvider({ client, autoStart = true, children }: SyncProviderProps) {
  useEffect(() => {
    if (!autoStart) return;
    void client.start();
    return () => void client.stop();
  }, [client, autoStart]);
  return createElement(SyncContext.Provider, { value: client }, children);
}

export function useSyncClient(): SyncClient {
  const client = useContext(SyncContext);
  if (!client) throw new MissingSyncProviderError();
  return client;
}
