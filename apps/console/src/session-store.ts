import type { Session } from '@ripple/sync-client';

const KEY = 'ripple.session';

/** A session and when its token expires (ms since the epoch). */
export type SavedSession = Session & { expiresAt: number };

/** The signed-in session, kept across reloads until it expires or the user signs out. */
export function loadSession(): SavedSession | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as SavedSession | null;
    return saved && saved.expiresAt > Date.now() ? saved : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): SavedSession {
  const saved = { ...session, expiresAt: Date.now() + session.expiresIn * 1000 };
  localStorage.setItem(KEY, JSON.stringify(saved));
  return saved;
}

export function forgetSession(): void {
  localStorage.removeItem(KEY);
}
