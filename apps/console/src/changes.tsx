import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { DataChange } from '@ripple/sync-client';
import { useSyncClient } from '@ripple/sync-client/react';

const KEEP = 100;

/** What changed in the data a change carries, in a line: `bio: "hello", phone: "…"`. */
function summary(change: DataChange): string {
  const data = change.data as { changes?: Record<string, unknown> } | undefined;
  const fields = data?.changes ?? (data as Record<string, unknown> | undefined) ?? {};
  const text = Object.entries(fields).filter(([, v]) => typeof v !== 'object' || v === null).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ');
  return change.truncated ? 'too large to carry: read the record' : text.slice(0, 240);
}

const ChangeLog = createContext<DataChange[]>([]);

/** Keeps the changes the feed brings while signed in, whichever screen is showing. */
export function ChangeLogProvider({ children }: { children: ReactNode }) {
  const client = useSyncClient();
  const [changes, setChanges] = useState<DataChange[]>([]);
  useEffect(() => client.on('*', (c) => setChanges((list) => [c, ...list.filter((x) => x.eventId !== c.eventId)].slice(0, KEEP))), [client]);
  return <ChangeLog.Provider value={changes}>{children}</ChangeLog.Provider>;
}

/** Every change the feed brings the signed-in user, newest first, as it arrives. */
export function ChangesPage() {
  const changes = useContext(ChangeLog);
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title" className="sr-only">Your changes, live</h2>
      <p className="hint">Every change to your data, from any service, as it reaches this page. Edit your profile or a pet and watch it arrive here.</p>
      {changes.length === 0 ? <p>No changes yet since you signed in on this page.</p> : (
        <ol className="changes" aria-label="Changes">
          {changes.map((c) => (
            <li key={c.eventId} data-event-type={c.eventType}>
              <span className="event">{c.eventType}</span>
              <span className="record">{c.changeType} {c.recordId.slice(0, 8)} v{c.version}</span>
              <time dateTime={new Date(c.timestamp).toISOString()}>{new Date(c.timestamp).toLocaleTimeString()}</time>
              <span className="data">{summary(c)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
