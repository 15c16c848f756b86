import type { Session } from '@ripple/sync-client';

const KEY = 'ripple.session';

/** The signed-in session, kept across reloads until it expires or the user signs out. */
export function loadSession(): Session | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as (Session & { expiresAt: number }) | null;
    return saved && saved.expiresAt > Date.now() ? saved : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify({ ...session, expiresAt: Date.now() + session.expiresIn * 1000 }));
}

export function forgetSession(): void {
  localStorage.removeItem(KEY);
}
