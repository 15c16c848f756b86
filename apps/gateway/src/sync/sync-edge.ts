import type { FeedCursors } from '../feed/feed-cursors';
import type { FeedReader } from '../feed/feed-reader';
import type { SyncAuthenticator, SyncCredentials } from './sync-auth';
import { SyncSession, type SessionDeps, type SyncSink } from './sync-session';
import type { SyncHub } from './sync-hub';
import type { TicketStore } from './tickets';

/** An admitted connection: `open` it on its transport, or `cancel` it if the transport never came up. */
export interface PreparedSession {
  open(sink: SyncSink): SyncSession;
  cancel(): void;
}

/** What the SSE and WebSocket endpoints share: authenticate, bound, resolve the cursor, start the session. */
export class SyncEdge {
  constructor(
    readonly auth: SyncAuthenticator,
    readonly tickets: TicketStore,
    readonly reader: FeedReader,
    readonly cursors: FeedCursors,
    readonly hub: SyncHub,
    readonly deps: SessionDeps,
  ) {}

  /**
   * Everything that can refuse a connection happens here, before the transport
   * answers: the caller turns a thrown error into a status. `attach` then
   * binds the session to its transport.
   */
  async prepare(creds: SyncCredentials, lastEventId: string | undefined): Promise<PreparedSession> {
    const identity = await this.auth.identify(creds);
    const given = lastEventId || creds.query.get('since') || undefined;
    this.hub.admit(identity.userId);
    try {
      const start = await this.cursors.resolve(identity.userId, given, 'head');
      let settled = false;
      return {
        open: (sink) => {
          settled = true;
          const session = new SyncSession(identity, start, sink, this.deps);
          session.open(start, given !== undefined);
          return session;
        },
        cancel: () => {
          if (!settled) this.hub.leave({ userId: identity.userId });
          settled = true;
        },
      };
    } catch (err) {
      this.hub.leave({ userId: identity.userId });
      throw err;
    }
  }
}
