import { execFile } from 'node:child_process';

/**
 * The CPU an idle process pays to be woken, on this machine: a Node process
 * woken every 10 ms by an empty timer for 3 s, its CPU time ÷ its wake-ups, in
 * µs. On bare metal a few µs; on a VM whose idle vCPU halts, each wake-up also
 * pays the halt's exit and re-entry, charged to the process woken. Every hop of
 * a pipeline wakes a process at low rates, so this prices the hops themselves.
 */
export function wakeUpCostMicros(): Promise<number> {
  const script = `const c0 = process.cpuUsage(); let n = 0; const t = setInterval(() => n++, 10);
    setTimeout(() => { clearInterval(t); const c = process.cpuUsage(c0); process.stdout.write(String((c.user + c.system) / n)); }, 3000);`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], (err, stdout) => (err ? reject(err) : resolve(Number(stdout))));
  });
}
