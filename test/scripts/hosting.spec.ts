/**
 * scripts/hosting.js: how `npm start` groups the services into processes
 * (`--one-process`, `--hosts`, or one process each), and in what order it
 * starts them.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { hostGroups, hostedProcesses } = require('../../scripts/hosting.js');

const SERVICES = ['profiles', 'venues', 'pets', 'connectors', 'gateway'];
const APPS = [
  { name: 'profiles', main: 'p.js', env: { PORT: 3001 } },
  { name: 'venues', main: 'v.js', env: { PORT: 3002 } },
  { name: 'pets', main: 'pe.js', env: { PORT: 3003 } },
  { name: 'nowrepblue-simulator', main: 's.js', env: { SIM_PORT: 3105 } },
  { name: 'connectors', main: 'c.js', env: { PORT: 3004 } },
  { name: 'gateway', main: 'g.js', env: { PORT: 3000, PROFILES_URL: 'http://127.0.0.1:3001' } },
];
const built = () => true;
const names = (processes: { name: string }[]) => processes.map((p) => p.name);

describe('hostGroups', () => {
  it('leaves the services apart unless told otherwise', () => {
    expect(hostGroups([], {}, SERVICES)).toBeUndefined();
    expect(hostGroups([], { RIPPLE_HOSTS: '' }, SERVICES)).toBeUndefined();
  });

  it('reads --hosts as processes separated by commas, the services of one joined by +', () => {
    const groups = [['profiles', 'venues', 'pets', 'connectors'], ['gateway']];
    expect(hostGroups(['--hosts', 'profiles+venues+pets+connectors,gateway'], {}, SERVICES)).toEqual(groups);
    expect(hostGroups(['--hosts=profiles+venues+pets+connectors,gateway'], {}, SERVICES)).toEqual(groups);
    expect(hostGroups([], { RIPPLE_HOSTS: 'profiles+venues+pets+connectors,gateway' }, SERVICES)).toEqual(groups);
    expect(hostGroups(['--hosts', 'venues+pets'], {}, SERVICES)).toEqual([['venues', 'pets']]);
  });

  it('reads --one-process (or RIPPLE_ONE_PROCESS=1) as every service in one', () => {
    expect(hostGroups(['--one-process'], {}, SERVICES)).toEqual([SERVICES]);
    expect(hostGroups([], { RIPPLE_ONE_PROCESS: '1' }, SERVICES)).toEqual([SERVICES]);
  });

  it('names what is wrong with a grouping it cannot follow', () => {
    expect(() => hostGroups(['--hosts', 'profiles+venue'], {}, SERVICES)).toThrow('--hosts "profiles+venue" names "venue": not one of profiles, venues, pets, connectors, gateway');
    expect(() => hostGroups(['--hosts', 'profiles+venues,venues'], {}, SERVICES)).toThrow('names venues twice');
    expect(() => hostGroups(['--hosts', 'profiles++venues'], {}, SERVICES)).toThrow('names "": not one of');
    expect(() => hostGroups(['--hosts'], {}, SERVICES)).toThrow('--hosts needs its groups, e.g. --hosts profiles+venues+pets+connectors,gateway');
    expect(() => hostGroups(['--one-process', '--hosts', 'profiles+venues'], {}, SERVICES)).toThrow('give one');
    expect(() => hostGroups([], { RIPPLE_ONE_PROCESS: '1', RIPPLE_HOSTS: 'profiles+venues' }, SERVICES)).toThrow('give one');
  });
});

describe('hostedProcesses', () => {
  it('runs every app alone when nothing is grouped', () => {
    expect(hostedProcesses(APPS, undefined, SERVICES, built)).toEqual(APPS);
    expect(hostedProcesses(APPS, [['profiles'], ['gateway']], SERVICES, built)).toEqual(APPS);
  });

  it('hosts a group in one process where its last service would start, with each service\'s own variables', () => {
    const processes = hostedProcesses(APPS, [['profiles', 'venues', 'pets', 'connectors'], ['gateway']], SERVICES, built);
    expect(names(processes)).toEqual(['nowrepblue-simulator', 'profiles+venues+pets+connectors', 'gateway']);
    const host = processes[1];
    expect(host).toMatchObject({ main: 'scripts/one-process.js', services: ['profiles', 'venues', 'pets', 'connectors'] });
    expect(JSON.parse(host.env.RIPPLE_SERVICES)).toEqual([
      { name: 'profiles', env: { PORT: '3001' } },
      { name: 'venues', env: { PORT: '3002' } },
      { name: 'pets', env: { PORT: '3003' } },
      { name: 'connectors', env: { PORT: '3004' } },
    ]);
  });

  it('keeps the gateway\'s host last, so it starts last and stops first, and calls the host of every service ripple', () => {
    expect(names(hostedProcesses(APPS, [['gateway', 'profiles'], ['venues', 'pets']], SERVICES, built))).toEqual(['venues+pets', 'nowrepblue-simulator', 'connectors', 'profiles+gateway']);
    expect(names(hostedProcesses(APPS, [SERVICES], SERVICES, built))).toEqual(['nowrepblue-simulator', 'ripple']);
  });

  it('leaves a service that is not built out of its host, as an app of its own for the caller to skip', () => {
    const processes = hostedProcesses(APPS, [SERVICES], SERVICES, (app: { name: string }) => app.name !== 'pets');
    expect(names(processes)).toEqual(['nowrepblue-simulator', 'ripple', 'pets']);
    expect(processes[1].services).toEqual(['profiles', 'venues', 'connectors', 'gateway']);
    expect(names(hostedProcesses(APPS, [['venues', 'pets']], SERVICES, (app: { name: string }) => !['venues', 'pets'].includes(app.name)))).toEqual(['profiles', 'venues', 'pets', 'nowrepblue-simulator', 'connectors', 'gateway']);
  });
});
