import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { IndexedDbQueueStore, SyncClient, type Session } from '@ripple/sync-client';
import { SyncProvider } from '@ripple/sync-client/react';
import { AdminPage } from './admin';
import { ChangeLogProvider, ChangesPage } from './changes';
import { ConnectorsPage } from './connectors';
import { PetsPage } from './pets';
import { ProfilePage } from './profile';
import { usePath } from './routes';
import { forgetSession, loadSession, saveSession } from './session-store';
import { SignIn } from './sign-in';
import { StatusIndicator } from './status-indicator';
import { SyncPage } from './sync';

interface Screen {
  path: string;
  title: string;
  admin?: boolean;
  render: (s: Session) => ReactElement;
}

const SCREENS: Screen[] = [
  { path: '/', title: 'Changes', render: () => <ChangesPage /> },
  { path: '/profile', title: 'Profile', render: (s) => <ProfilePage session={s} /> },
  { path: '/pets', title: 'Pets', render: () => <PetsPage /> },
  { path: '/sync', title: 'Sync', render: (s) => <SyncPage session={s} /> },
  { path: '/connectors', title: 'Connectors', admin: true, render: () => <ConnectorsPage /> },
  { path: '/admin', title: 'Operations', admin: true, render: () => <AdminPage /> },
];

export function App() {
  const [session, setSession] = useState(loadSession);
  const [ended, setEnded] = useState(false);
  const signOut = () => (forgetSession(), setSession(undefined));
  // The token's end is the session's: back to sign-in (what is queued stays, and goes once the same user signs in again).
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => (setEnded(true), signOut()), Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [session]);
  if (!session) return <SignIn notice={ended ? 'Your session ended: sign in again.' : undefined} onSignedIn={(s) => (setEnded(false), setSession(saveSession(s)))} />;
  // A new client and provider per signed-in user: the offline queue is theirs alone.
  return <SignedIn key={session.user.id} session={session} onSignOut={signOut} />;
}

function SignedIn({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [path, navigate] = usePath();
  const client = useMemo(
    () => new SyncClient({ baseUrl: location.origin, userId: session.user.id, getToken: () => session.token, store: new IndexedDbQueueStore() }),
    [session],
  );
  const screens = SCREENS.filter((s) => !s.admin || session.user.role === 'admin');
  const screen = screens.find((s) => s.path === path) ?? screens[0];
  // After moving to another screen, keyboard and screen reader users start at its title.
  const title = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) title.current?.focus();
    moved.current = true;
  }, [screen]);
  return (
    <SyncProvider client={client}>
      <ChangeLogProvider>
        <header className="top">
          <span className="brand">Ripple</span>
          <StatusIndicator />
          <span className="who">{session.user.username} <small>({session.user.role})</small></span>
          <button type="button" onClick={onSignOut}>Sign out</button>
        </header>
        <nav aria-label="Screens">
          {screens.map((s) => (
            <a key={s.path} href={s.path} aria-current={s === screen ? 'page' : undefined} onClick={(e) => (e.preventDefault(), navigate(s.path))}>{s.title}</a>
          ))}
        </nav>
        <main>
          <h1 ref={title} tabIndex={-1}>{screen.title}</h1>
          {screen.render(session)}
        </main>
      </ChangeLogProvider>
    </SyncProvider>
  );
}
