import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, type Progress } from '@ripple/sync-client';
import { useSyncClient } from '@ripple/sync-client/react';

/** A labelled progress bar: `<progress>` (read by assistive technology) and its figures in words. */
export function ProgressBar({ label, progress }: { label: string; progress: Progress }) {
  const { completed, total, failed, percentage } = progress;
  return (
    <div className="progress">
      <span>{label}</span>
      {/* In percent: an empty step (0 of 0) is done, and shows full. */}
      <progress aria-label={label} max={100} value={percentage} />
      <span className="figures">{completed} / {total}{failed > 0 && `, ${failed} failed`}</span>
    </div>
  );
}

/** A refusal in words: its message, and each field it names. */
export function ErrorNote({ error }: { error?: unknown }) {
  if (!error) return null;
  const e = error as Error;
  const fields = e instanceof ApiError ? e.fields ?? [] : [];
  return (
    <div role="alert" className="error">
      <strong>{e instanceof ApiError ? `${e.status} ${e.code}: ` : ''}</strong>
      {e.message}
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => <li key={f.field}><code>{f.field}</code>: {f.errors.join('; ')}</li>)}
        </ul>
      )}
    </div>
  );
}

/** The message a refusal gives for one field, to show beside its input. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fields?.find((f) => f.field === field)?.errors.join('; ') : undefined;
}

/** A text input with its label and the server's word on it. */
export function Field({ label, name, value, onChange, error, type = 'text', required }: {
  label: string; name: string; value: string; onChange: (v: string) => void; error?: string; type?: string; required?: boolean;
}) {
  const id = `f-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} type={type} value={value} required={required} aria-invalid={!!error} aria-describedby={error ? `${id}-err` : undefined} onChange={(e) => onChange(e.target.value)} />
      {error && <span id={`${id}-err`} className="field-error">{error}</span>}
    </div>
  );
}

export const Badge = ({ kind, children }: { kind: string; children: ReactNode }) => <span className={`badge badge-${kind}`}>{children}</span>;

/** A REST read through the SDK's client, read again on `reload()` or when `deps` change. */
export function useApiRead<T>(path: string | undefined, deps: unknown[] = []) {
  const client = useSyncClient();
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: !!path });
  const reload = useCallback(() => {
    if (!path) return Promise.resolve();
    setState((s) => ({ ...s, loading: true }));
    return client.api<T>('GET', path).then((data) => setState({ data, loading: false }), (error) => setState((s) => ({ ...s, error, loading: false })));
  }, [client, path]);
  useEffect(() => void reload(), [reload, ...deps]);
  return { ...state, reload };
}

/** Runs an API action from a button: its error (shown in the page), and whether it is running. */
export function useAction() {
  const [state, setState] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const run = useCallback(async <R,>(action: () => Promise<R>): Promise<R | undefined> => {
    setState({ busy: true });
    try {
      const result = await action();
      setState({ busy: false });
      return result;
    } catch (error) {
      setState({ busy: false, error });
      return undefined;
    }
  }, []);
  return { ...state, run };
}
