import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../errors.js';
import type { OperationOutcome, QueuedOperation } from '../messages.js';
import type { NewOperation } from '../sync-client.js';
import { useSyncClient } from './sync-provider.js';

export type ConflictOutcome = Extract<OperationOutcome, { kind: 'conflict' }>;

export interface MutationState<TResult = unknown> {
  /** idle; queued (kept until the server has it, offline too); sent; failed (refused: see useFailedOperations); dropped (a conflict given up). */
  status: 'idle' | 'queued' | 'sent' | 'failed' | 'dropped';
  operation?: QueuedOperation;
  /** The server's `data` once sent. */
  result?: TResult;
  error?: ApiError;
  /** Every 409 the last operation met, with the server's state and how it was resolved. */
  conflicts: ConflictOutcome[];
}

const IDLE: MutationState<never> = { status: 'idle', conflicts: [] };

function next<T>(state: MutationState<T>, outcome: OperationOutcome): MutationState<T> {
  switch (outcome.kind) {
    case 'sent':
      return { ...state, status: 'sent', operation: outcome.operation, result: (outcome.body as { data?: T } | undefined)?.data };
    case 'failed':
      return { ...state, status: 'failed', error: ApiError.of(outcome.status, outcome.body) };
    case 'conflict':
      return { ...state, operation: outcome.operation, conflicts: [...state.conflicts, outcome] };
    case 'dropped':
      return { ...state, status: 'dropped' };
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/**
 * Sends a command through the offline queue (durable, in order, with an
 * Idempotency-Key) and follows what becomes of the last one sent: queued,
 * sent (with the answer), failed (with the error), conflicts met on the way.
 */
export function useMutation<TResult = unknown>() {
  const client = useSyncClient();
  const [state, setState] = useState<MutationState<TResult>>(IDLE);
  const current = useRef<string | undefined>(undefined);
  // Outcomes that arrive while send() is still returning the operation's id.
  const early = useRef<OperationOutcome[] | undefined>(undefined);

  useEffect(
    () => client.onOperation((outcome) => {
      if (outcome.operation.id === current.current) setState((s) => next(s, outcome));
      else early.current?.push(outcome);
    }),
    [client],
  );

  const mutate = useCallback(async (op: NewOperation): Promise<QueuedOperation> => {
    early.current = [];
    try {
      const queued = await client.send(op);
      current.current = queued.id;
      const arrived = early.current.filter((o) => o.operation.id === queued.id);
      setState(arrived.reduce<MutationState<TResult>>(next, { status: 'queued', operation: queued, conflicts: [] }));
      return queued;
    } finally {
      early.current = undefined;
    }
  }, [client]);

  const reset = useCallback(() => {
    current.current = undefined;
    setState(IDLE);
  }, []);

  return { ...state, mutate, reset };
}
