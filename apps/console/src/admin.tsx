import { useSyncClient } from '@ripple/sync-client/react';
import { ErrorNote, useAction, useApiRead } from './ui';

// The services that run projections (connectors has none).
const SERVICES = ['profiles', 'venues', 'pets', 'gateway'] as const;

interface DeadLetter { id: string; projection: string; eventType: string; aggregateId: string; attempts: number; error: string; blockedBy: string | null; createdAt: string }

/** For admins: each service's dead letters (failed propagations), to retry or discard. */
export function AdminPage() {
  return (
    <div className="columns">
      {SERVICES.map((s) => <DeadLetters key={s} service={s} />)}
    </div>
  );
}

function DeadLetters({ service }: { service: (typeof SERVICES)[number] }) {
  const client = useSyncClient();
  const letters = useApiRead<DeadLetter[]>(`/api/ops/${service}/dead-letters?status=open`);
  const action = useAction();
  const act = (method: 'POST' | 'DELETE', path: string) => void action.run(() => client.api(method, path)).then(() => letters.reload());
  return (
    <section className="card" aria-labelledby={`dl-${service}`} data-service={service}>
      <h2 id={`dl-${service}`}>{service}: dead letters</h2>
      <button type="button" onClick={() => void letters.reload()}>Refresh</button>
      <ErrorNote error={letters.error ?? action.error} />
      {letters.data?.length === 0 && <p data-testid="no-dead-letters">None open.</p>}
      <ul aria-label={`${service} dead letters`}>
        {letters.data?.map((d) => (
          <li key={d.id} data-dead-letter={d.id}>
            <strong>{d.eventType}</strong> for {d.aggregateId.slice(0, 8)} in {d.projection}, {d.attempts} attempts
            {d.blockedBy ? <small> (parked behind {d.blockedBy.slice(0, 8)})</small> : null}
            <pre className="error-text">{d.error}</pre>
            {!d.blockedBy && (
              <div className="actions">
                <button type="button" onClick={() => act('POST', `/api/ops/${service}/dead-letters/${d.id}/retry`)}>Retry</button>
                <button type="button" onClick={() => act('DELETE', `/api/ops/${service}/dead-letters/${d.id}`)}>Discard</button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
