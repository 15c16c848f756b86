'use strict';
// How `npm start` hosts the services: one Node process each (the default), all
// in one (`--one-process`), or in groups (`--hosts`). A group's services run in
// one process (scripts/one-process.js), each still its own Nest application with
// its own settings, schema, pool, NATS connection and port.

/**
 * The groups `--hosts` (or RIPPLE_HOSTS) names: processes separated by `,`, the
 * services sharing one joined by `+`, e.g. `profiles+venues+pets+connectors,gateway`.
 * A service it does not name runs in a process of its own. Undefined when the
 * services are not grouped.
 */
function hostGroups(argv, env, services) {
  const one = argv.includes('--one-process') || env.RIPPLE_ONE_PROCESS === '1';
  const at = argv.findIndex((a) => a === '--hosts' || a.startsWith('--hosts='));
  const spec = at < 0 ? env.RIPPLE_HOSTS : argv[at] === '--hosts' ? argv[at + 1] : argv[at].slice('--hosts='.length);
  if (at >= 0 && !spec) throw new Error(`--hosts needs its groups, e.g. --hosts ${services.slice(0, -1).join('+')},${services[services.length - 1]}`);
  if (one && spec) throw new Error('--one-process and --hosts (or RIPPLE_ONE_PROCESS and RIPPLE_HOSTS) both say how to host the services: give one');
  if (one) return [[...services]];
  if (!spec) return undefined;
  const groups = spec.split(',').map((group) => group.split('+').map((name) => name.trim()));
  const seen = new Set();
  for (const name of groups.flat()) {
    if (!services.includes(name)) throw new Error(`--hosts "${spec}" names "${name}": not one of ${services.join(', ')}`);
    if (seen.has(name)) throw new Error(`--hosts "${spec}" names ${name} twice: each service runs in one process`);
    seen.add(name);
  }
  return groups;
}

/**
 * What to spawn, in start order: every app of `apps` (services and simulators)
 * alone, but each group of two or more services as one host of those of them
 * that are built (`isBuilt`), started where its last service would have been, so
 * the gateway's host still starts last and stops first. The host of every
 * service is called `ripple`, another by its services (`profiles+venues`). A
 * service not built stays an app of its own, which the caller skips as it skips
 * any unbuilt app.
 */
function hostedProcesses(apps, groups, services, isBuilt) {
  const groupOf = new Map((groups ?? []).filter((group) => group.length > 1).flatMap((group) => group.map((name) => [name, group])));
  const out = [];
  for (const app of apps) {
    const group = groupOf.get(app.name);
    if (!group) {
      out.push(app);
      continue;
    }
    const members = apps.filter((a) => group.includes(a.name));
    if (app !== members[members.length - 1]) continue;
    const built = members.filter(isBuilt);
    if (built.length) {
      out.push({
        name: group.length === services.length ? 'ripple' : built.map((a) => a.name).join('+'),
        main: 'scripts/one-process.js',
        env: { RIPPLE_SERVICES: JSON.stringify(built.map((a) => ({ name: a.name, env: Object.fromEntries(Object.entries(a.env).map(([k, v]) => [k, String(v)])) }))) },
        services: built.map((a) => a.name),
      });
    }
    out.push(...members.filter((a) => !built.includes(a)));
  }
  return out;
}

module.exports = { hostGroups, hostedProcesses };
