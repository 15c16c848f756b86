/** Names the raw topology's processes (raw-topology.ts) and its setup (raw-topology-start.ts) share. */

/** The raw topology's tables, in Ripple's database beside the services' schemas. */
export const RAW_TOPOLOGY_SCHEMA = 'raw_topo';

export type RawSource = 'profiles' | 'venues';
export const rawTopologyStream = (prefix: string, source: RawSource) => `RAWTOPO_${prefix}_${source}`.toUpperCase();
export const rawTopologySubject = (prefix: string, source: RawSource, aggregateId: string) => `rawtopo.${prefix}.${source}.${aggregateId}`;
