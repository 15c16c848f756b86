import { useState, type FormEvent } from 'react';
import { register, signIn, type Registration, type Session } from '@ripple/sync-client';
import { ErrorNote, Field, fieldError } from './ui';

const ROLES = ['user', 'venue', 'gallera', 'pet_owner', 'veterinarian'] as const satisfies readonly Registration['role'][];

/** Sign in, or register and then sign in. */
export function SignIn({ onSignedIn, notice }: { onSignedIn: (s: Session) => void; notice?: string }) {
  const [mode, setMode] = useState<'sign-in' | 'register'>('sign-in');
  const [form, setForm] = useState<Registration>({ username: '', email: '', password: '', role: 'user' });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (k: 'username' | 'email' | 'password' | 'role') => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'register') await register(location.origin, form);
      onSignedIn(await signIn(location.origin, { username: form.username, password: form.password }));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1>Ripple</h1>
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{mode === 'sign-in' ? 'Sign in' : 'Register'}</h2>
        {notice && <p role="status" className="hint">{notice}</p>}
        <Field label={mode === 'sign-in' ? 'Username or email' : 'Username'} name="username" value={form.username} onChange={set('username')} error={fieldError(error, 'username')} required />
        {mode === 'register' && <Field label="Email" name="email" type="email" value={form.email} onChange={set('email')} error={fieldError(error, 'email')} required />}
        <Field label="Password" name="password" type="password" value={form.password} onChange={set('password')} error={fieldError(error, 'password')} required />
        {mode === 'register' && (
          <div className="field">
            <label htmlFor="f-role">Role</label>
            <select id="f-role" value={form.role} onChange={(e) => set('role')(e.target.value)}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </div>
        )}
        <ErrorNote error={error} />
        <button type="submit" disabled={busy}>{mode === 'sign-in' ? 'Sign in' : 'Register and sign in'}</button>
        <button type="button" className="link" onClick={() => { setMode(mode === 'sign-in' ? 'register' : 'sign-in'); setError(undefined); }}>
          {mode === 'sign-in' ? 'No account yet? Register' : 'Have an account? Sign in'}
        </button>
      </form>
    </main>
  );
}
