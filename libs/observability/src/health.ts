/** A readiness check: resolves when the dependency answers, throws otherwise. */
export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

export async function runHealthChecks(checks: HealthCheck[], timeoutMs = 2000): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await Promise.race([c.check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out')), timeoutMs).unref())]);
        return [c.name, { status: 'up' as const }] as const;
      } catch (err) {
        return [c.name, { status: 'down' as const, error: (err as Error).message }] as const;
      }
    }),
  );
  const report = Object.fromEntries(results);
  return { status: results.every(([, r]) => r.status === 'up') ? 'ok' : 'unavailable', checks: report };
}
