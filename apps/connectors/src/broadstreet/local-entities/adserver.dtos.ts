import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import type { AdServerType, RefKey } from '../adserver-model';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

class Named {
  @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
}

export class NetworkDto extends Named {
  @IsOptional() @IsString() @MaxLength(500) web_home_url?: string;
  @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

export class AdvertiserDto extends NetworkDto {
  @IsUUID() network_id!: string;
}

export class ZoneDto extends Named {
  @IsUUID() network_id!: string;
  @IsOptional() @IsString() @MaxLength(100) alias?: string;
}

export class AdvertisementDto extends Named {
  @IsUUID() advertiser_id!: string;
  @IsIn(['text', 'static', 'html']) type!: string;
  @IsOptional() @IsString() @MaxLength(500) destination_url?: string;
}

export class CampaignDto extends Named {
  @IsUUID() advertiser_id!: string;
  @Matches(DATE, { message: 'start_date must be YYYY-MM-DD' }) start_date!: string;
  @IsOptional() @Matches(DATE, { message: 'end_date must be YYYY-MM-DD' }) end_date?: string;
  @IsOptional() @IsInt() @Min(0) @Max(100) weight?: number;
  @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

export class PlacementDto {
  @IsUUID() campaign_id!: string;
  @IsUUID() advertisement_id!: string;
  @IsUUID() zone_id!: string;
}

export const DTO_OF: Record<AdServerType, new () => object> = {
  networks: NetworkDto, advertisers: AdvertiserDto, zones: ZoneDto, advertisements: AdvertisementDto, campaigns: CampaignDto, placements: PlacementDto,
};

/** Splits a validated body into name, plain fields and references (`network_id` → refs.network). */
export function splitBody(body: Record<string, unknown>): { name: string | null; fields: Record<string, unknown>; refs: Partial<Record<RefKey, string>> } {
  const fields: Record<string, unknown> = {};
  const refs: Partial<Record<RefKey, string>> = {};
  for (const [k, v] of Object.entries(body)) {
    if (k === 'name') continue;
    const ref = /^(network|advertiser|campaign|advertisement|zone)_id$/.exec(k)?.[1] as RefKey | undefined;
    if (ref) refs[ref] = String(v);
    else fields[k] = v;
  }
  return { name: typeof body.name === 'string' ? body.name : null, fields, refs };
}
