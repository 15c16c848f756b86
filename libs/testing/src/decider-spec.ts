import { expect } from 'expect';

interface Event {
  type: string;
  data: unknown;
}

/** An event as a decision emits it: its type and data, before the event store gives it an envelope. */
export type Fact<E extends Event> = Pick<E, 'type' | 'data'>;

export interface DeciderSpecOptions<S, E extends Event> {
  evolve: (state: S | undefined, event: E) => S;
  aggregateType: string;
  aggregateId: string;
}

type ErrorClass<T extends Error> = abstract new (...args: never[]) => T;

/**
 * Given events / when a decision / then events, written once for every decider
 * (emmett's DeciderSpecification):
 *
 *   const spec = deciderSpec({ evolve, aggregateType: 'user', aggregateId: 'u1' });
 *   spec.given(registered).when((user) => updateProfile(user, cmd)).then([...]);
 *
 * The given facts get the envelopes the event store would give them: versions from 1,
 * ids `e<version>`, occurredAt one second apart from 2026-01-01T00:00:00Z. `then`
 * returns the state after the emitted events, numbered on from the given ones.
 */
export function deciderSpec<S, E extends Event>({ evolve, aggregateType, aggregateId }: DeciderSpecOptions<S, E>) {
  const envelope = (fact: Fact<E>, version: number) =>
    ({
      ...fact, id: `e${version}`, schemaVersion: 1, aggregateType, aggregateId, aggregateVersion: version,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, version)).toISOString(), correlationId: 'c', causationId: 'c', actor: aggregateId,
    }) as unknown as E;
  const fold = (state: S | undefined, facts: readonly Fact<E>[], after: number) =>
    facts.reduce((s, fact, i) => evolve(s, envelope(fact, after + i + 1)), state);

  return {
    given(...facts: Fact<E>[]) {
      // No given facts: the decision runs on no state (a creation).
      const state = fold(undefined, facts, 0) as S;
      return {
        state,
        when(decide: (state: S) => readonly Fact<E>[]) {
          return {
            /** The decision emits exactly these events; returns the state after them. */
            then(expected: readonly Fact<E>[]): S {
              const emitted = decide(state);
              expect(emitted).toEqual(expected);
              return fold(state, emitted, facts.length) as S;
            },
            /** The decision refuses with this error; `check` looks at what it says. */
            thenThrows<T extends Error>(type: ErrorClass<T>, check?: (error: T) => void): void {
              let thrown: unknown;
              try {
                decide(state);
              } catch (err) {
                thrown = err;
              }
              expect(thrown).toBeInstanceOf(type);
              check?.(thrown as T);
            },
          };
        },
      };
    },
  };
}
