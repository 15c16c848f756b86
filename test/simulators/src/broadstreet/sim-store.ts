/** The simulator's own storage: one list per type, each entity under the parents its path names. */
export const SIM_TYPES = ['networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'] as const;
export type SimType = (typeof SIM_TYPES)[number];
export type SimPath = Partial<Record<'network' | 'advertiser' | 'campaign', number>>;

export interface SimEntity {
  id: number;
  type: SimType;
  path: SimPath;
  data: Record<string, unknown>;
}

export type CreateResult = { ok: true; entity: SimEntity } | { ok: false; status: 404 | 422; errors: Record<string, string[]> };

const REQUIRED: Record<SimType, string[]> = {
  networks: ['name'], advertisers: ['name'], zones: ['name'], advertisements: ['name', 'type'], campaigns: ['name', 'start_date'], placements: ['advertisement_id', 'zone_id'],
};

const PARENT_TYPE: Partial<Record<SimType, SimType>> = { advertisers: 'networks', zones: 'networks', advertisements: 'advertisers', campaigns: 'advertisers', placements: 'campaigns' };
const PARENT_KEY: Partial<Record<SimType, keyof SimPath>> = { advertisers: 'network', zones: 'network', advertisements: 'advertiser', campaigns: 'advertiser', placements: 'campaign' };

const samePath = (a: SimPath, b: SimPath) => a.network === b.network && a.advertiser === b.advertiser && a.campaign === b.campaign;

export class SimStore {
  private nextId = 1000;
  readonly entities: SimEntity[] = [];

  list(type: SimType, path: SimPath): SimEntity[] {
    return this.entities.filter((e) => e.type === type && samePath(e.path, path));
  }

  all(type: SimType): SimEntity[] {
    return this.entities.filter((e) => e.type === type);
  }

  /** Whether the parents named by the path exist, each under the one before it. */
  pathExists(type: SimType, path: SimPath): boolean {
    const parentType = PARENT_TYPE[type];
    if (!parentType) return true;
    const key = PARENT_KEY[type]!;
    const { [key]: id, ...above } = path;
    return this.list(parentType, above).some((e) => e.id === id) && this.pathExists(parentType, above);
  }

  create(type: SimType, path: SimPath, body: Record<string, unknown>): CreateResult {
    if (!this.pathExists(type, path)) return { ok: false, status: 404, errors: { base: ['parent not found'] } };
    const data: Record<string, unknown> = { ...body };
    if (typeof data.name === 'string') data.name = data.name.trim();
    const missing = REQUIRED[type].filter((f) => data[f] === undefined || data[f] === null || data[f] === '');
    if (missing.length) return { ok: false, status: 422, errors: Object.fromEntries(missing.map((f) => [f, ["can't be blank"]])) };
    const siblings = this.list(type, path);
    // Names are unique per parent, as Broadstreet enforces them.
    if (data.name !== undefined && siblings.some((e) => e.data.name === data.name)) return { ok: false, status: 422, errors: { name: ['has already been taken'] } };
    if (type === 'placements') {
      const err = this.placementRefsError(path, data);
      if (err) return { ok: false, status: 422, errors: err };
    }
    const entity: SimEntity = { id: this.nextId++, type, path: { ...path }, data };
    this.entities.push(entity);
    return { ok: true, entity };
  }

  private placementRefsError(path: SimPath, data: Record<string, unknown>): Record<string, string[]> | undefined {
    const ad = this.list('advertisements', { network: path.network, advertiser: path.advertiser }).find((e) => e.id === Number(data.advertisement_id));
    if (!ad) return { advertisement_id: ['is not an advertisement of this advertiser'] };
    const zone = this.list('zones', { network: path.network }).find((e) => e.id === Number(data.zone_id));
    if (!zone) return { zone_id: ['is not a zone of this network'] };
    return undefined;
  }
}

/** What an entity looks like on the wire: its data, its id, and the parent ids Broadstreet includes. */
export function wire(e: SimEntity): Record<string, unknown> {
  const parents: Record<string, number> = {};
  if (e.type === 'zones' && e.path.network !== undefined) parents.network_id = e.path.network;
  if ((e.type === 'advertisements' || e.type === 'campaigns') && e.path.advertiser !== undefined) parents.advertiser_id = e.path.advertiser;
  if (e.type === 'placements' && e.path.campaign !== undefined) parents.campaign_id = e.path.campaign;
  return { ...e.data, ...parents, id: e.id };
}

/** A small deterministic upstream: `networks` networks, each with `perParent` of every child type. */
export function seedStore(store: SimStore, networks: number, perParent: number): void {
  const add = (type: SimType, path: SimPath, data: Record<string, unknown>) => {
    const r = store.create(type, path, data);
    if (!r.ok) throw new Error(`seed ${type}: ${JSON.stringify(r.errors)}`);
    return r.entity.id;
  };
  for (let n = 1; n <= networks; n++) {
    const network = add('networks', {}, { name: `Network ${n}`, web_home_url: `https://network${n}.example` });
    const zones = Array.from({ length: perParent }, (_, z) => add('zones', { network }, { name: `Zone ${n}.${z + 1}`, alias: `zone-${n}-${z + 1}` }));
    for (let a = 1; a <= perParent; a++) {
      const advertiser = add('advertisers', { network }, { name: `Advertiser ${n}.${a}`, notes: `seeded ${a}` });
      const ads = Array.from({ length: perParent }, (_, i) => add('advertisements', { network, advertiser }, { name: `Ad ${n}.${a}.${i + 1}`, type: 'text' }));
      for (let c = 1; c <= perParent; c++) {
        const campaign = add('campaigns', { network, advertiser }, { name: `Campaign ${n}.${a}.${c}`, start_date: '2026-01-01', weight: c });
        add('placements', { network, advertiser, campaign }, { advertisement_id: ads[(c - 1) % ads.length], zone_id: zones[(c - 1) % zones.length] });
      }
    }
  }
}
