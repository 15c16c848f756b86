import type { EntityDefinition } from '../framework/connector';

export const ADSERVER_TYPES = ['networks', 'advertisers', 'zones', 'advertisements', 'campaigns', 'placements'] as const;
export type AdServerType = (typeof ADSERVER_TYPES)[number];
export type RefKey = 'network' | 'advertiser' | 'campaign' | 'advertisement' | 'zone';
export type EntityStatus = 'local' | 'synced' | 'imported';

/** Remote ids of the entities an entity lives under, as they appear in its API path. */
export type RemotePath = Partial<Record<'network' | 'advertiser' | 'campaign', string>>;

export interface TypeSpec {
  type: AdServerType;
  /** Singular key: a create answers `{ advertiser: {...} }`, a list `{ advertisers: [...] }`. */
  singular: string;
  /** The entity its API path nests it under. */
  parent?: RefKey;
  /** Other entities the payload names by remote id (a placement's advertisement and zone). */
  payloadRefs: RefKey[];
  named: boolean;
  required: string[];
  optional: string[];
}

export const REF_TYPE: Record<RefKey, AdServerType> = {
  network: 'networks', advertiser: 'advertisers', campaign: 'campaigns', advertisement: 'advertisements', zone: 'zones',
};

export const TYPE_SPECS: Record<AdServerType, TypeSpec> = {
  networks: { type: 'networks', singular: 'network', payloadRefs: [], named: true, required: [], optional: ['web_home_url', 'notes'] },
  advertisers: { type: 'advertisers', singular: 'advertiser', parent: 'network', payloadRefs: [], named: true, required: [], optional: ['web_home_url', 'notes'] },
  zones: { type: 'zones', singular: 'zone', parent: 'network', payloadRefs: [], named: true, required: [], optional: ['alias'] },
  advertisements: { type: 'advertisements', singular: 'advertisement', parent: 'advertiser', payloadRefs: [], named: true, required: ['type'], optional: ['destination_url'] },
  campaigns: { type: 'campaigns', singular: 'campaign', parent: 'advertiser', payloadRefs: [], named: true, required: ['start_date'], optional: ['end_date', 'weight', 'notes'] },
  placements: { type: 'placements', singular: 'placement', parent: 'campaign', payloadRefs: ['advertisement', 'zone'], named: false, required: [], optional: [] },
};

/** Every reference an entity holds: its path parent first, then the payload's. */
export const refsOf = (type: AdServerType): RefKey[] => {
  const s = TYPE_SPECS[type];
  return [...(s.parent ? [s.parent] : []), ...s.payloadRefs];
};

/**
 * The dependency hierarchy of document 004, level by level: networks;
 * advertisers and zones; advertisements; campaigns; placements. Campaigns need
 * only their advertiser, but the document puts them after advertisements (its
 * level 4, and the order its tests expect), so they are declared after them.
 */
export const ADSERVER_ENTITIES: readonly EntityDefinition[] = [
  { name: 'networks', dependsOn: [] },
  { name: 'advertisers', dependsOn: ['networks'] },
  { name: 'zones', dependsOn: ['networks'] },
  { name: 'advertisements', dependsOn: ['networks', 'advertisers'] },
  { name: 'campaigns', dependsOn: ['advertisers', 'advertisements'] },
  { name: 'placements', dependsOn: ['campaigns', 'advertisements', 'zones'] },
];

/** `/networks/1/advertisers/2/campaigns` for campaigns under advertiser 2 of network 1. */
export function collectionPath(type: AdServerType, path: RemotePath): string {
  const segs: string[] = [];
  if (path.network !== undefined) segs.push('networks', path.network);
  if (path.advertiser !== undefined) segs.push('advertisers', path.advertiser);
  if (path.campaign !== undefined) segs.push('campaigns', path.campaign);
  return `/${[...segs, type].join('/')}`;
}

/** The path keys a type's collection needs, outermost first. */
export function pathKeys(type: AdServerType): (keyof RemotePath)[] {
  const parent = TYPE_SPECS[type].parent;
  if (!parent) return [];
  const parentType = REF_TYPE[parent];
  return [...pathKeys(parentType), parent as keyof RemotePath];
}
