import { IsOptional, IsUUID } from 'class-validator';
import { InvalidInputError } from '../../framework/input/invalid-input.error';
import { pathKeys, type AdServerType } from '../adserver-model';

/** Filters of an incremental sync: the parents whose collections to fetch, by local id (e.g. one advertiser's campaigns). */
export class IncrementalSyncDto {
  @IsOptional() @IsUUID() network_id?: string;
  @IsOptional() @IsUUID() advertiser_id?: string;
  @IsOptional() @IsUUID() campaign_id?: string;
}

/** The filters a type can take are the parents in its API path: a zone lives under a network, not an advertiser. */
export function incrementalFilters(type: AdServerType, dto: IncrementalSyncDto): Record<string, string> {
  const allowed = pathKeys(type).map((k) => `${k}_id`);
  const given = Object.entries(dto).filter((e): e is [string, string] => typeof e[1] === 'string');
  const wrong = given.filter(([field]) => !allowed.includes(field));
  if (wrong.length) {
    const can = allowed.length ? `${type} can be filtered by ${allowed.join(', ')}` : `${type} take no filters`;
    throw new InvalidInputError(wrong.map(([field]) => ({ field, errors: [`not a filter of ${type}: ${can}`] })));
  }
  return Object.fromEntries(given);
}
