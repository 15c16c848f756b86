import type { EntityDefinition } from '../framework/connector';

export type ColumnType = 'text' | 'integer' | 'bigint' | 'timestamptz';

export interface CatalogColumn {
  column: string;
  /** The field's name in NowRepBlue's JSON. */
  source: string;
  type: ColumnType;
  required: boolean;
  /** The entity this column points to (validated before any switch). */
  references?: string;
}

export interface CatalogEntity extends EntityDefinition {
  /** NowRepBlue's path for the paged list, under the configured base URL. */
  path: string;
  /** The natural key; the id published in change events is its columns joined with ':'. */
  key: readonly string[];
  columns: readonly CatalogColumn[];
}

const col = (column: string, source: string, type: ColumnType, required = false, references?: string): CatalogColumn => ({ column, source, type, required, references });
const id = col('id', 'id', 'text', true);

function entity(name: string, path: string, columns: CatalogColumn[], key: string[] = ['id']): CatalogEntity {
  const dependsOn = [...new Set(columns.flatMap((c) => (c.references ? [c.references] : [])))];
  return { name, path, key, columns, dependsOn };
}

/**
 * The NowRepBlue catalog. Dependencies follow from the references, which gives
 * the document's order: independent (talents, boards, tags), dependent
 * (portfolios, measurements, socials, then media), junctions last. Every run
 * writes a whole version, as a version table must hold the whole catalog to be
 * switched to: a full run from everything fetched, an incremental one from the
 * active version with what changed since applied to it.
 */
export const CATALOG_ENTITIES: readonly CatalogEntity[] = [
  entity('talents', 'talents', [
    id, col('first_name', 'firstName', 'text', true), col('last_name', 'lastName', 'text', true), col('gender', 'gender', 'text'),
    col('city', 'city', 'text'), col('country', 'country', 'text'), col('birth_year', 'birthYear', 'integer'), col('agency', 'agency', 'text'),
    col('updated_at', 'updatedAt', 'timestamptz', true),
  ]),
  entity('boards', 'boards', [id, col('name', 'name', 'text', true), col('description', 'description', 'text'), col('owner_email', 'ownerEmail', 'text'), col('created_at', 'createdAt', 'timestamptz', true)]),
  entity('tags', 'tags', [id, col('name', 'name', 'text', true), col('category', 'category', 'text')]),
  entity('portfolios', 'portfolios', [
    id, col('talent_id', 'talentId', 'text', true, 'talents'), col('title', 'title', 'text', true), col('description', 'description', 'text'),
    col('created_at', 'createdAt', 'timestamptz', true),
  ]),
  entity('measurements', 'measurements', [
    id, col('talent_id', 'talentId', 'text', true, 'talents'), col('height_cm', 'heightCm', 'integer'), col('bust_cm', 'bustCm', 'integer'),
    col('waist_cm', 'waistCm', 'integer'), col('hips_cm', 'hipsCm', 'integer'), col('shoe_eu', 'shoeEu', 'integer'), col('eye_color', 'eyeColor', 'text'),
    col('hair_color', 'hairColor', 'text'),
  ]),
  entity('socials', 'socials', [
    id, col('talent_id', 'talentId', 'text', true, 'talents'), col('platform', 'platform', 'text', true), col('handle', 'handle', 'text', true),
    col('followers', 'followers', 'bigint'), col('url', 'url', 'text'),
  ]),
  entity('media', 'media', [
    id, col('portfolio_id', 'portfolioId', 'text', true, 'portfolios'), col('url', 'url', 'text', true), col('kind', 'kind', 'text', true),
    col('width', 'width', 'integer'), col('height', 'height', 'integer'), col('position', 'position', 'integer', true),
  ]),
  entity('board_talents', 'boards-talents', [col('board_id', 'boardId', 'text', true, 'boards'), col('talent_id', 'talentId', 'text', true, 'talents'), col('position', 'position', 'integer', true)], ['board_id', 'talent_id']),
  entity('board_portfolios', 'boards-portfolios', [col('board_id', 'boardId', 'text', true, 'boards'), col('portfolio_id', 'portfolioId', 'text', true, 'portfolios'), col('position', 'position', 'integer', true)], ['board_id', 'portfolio_id']),
  entity('media_tags', 'media-tags', [col('media_id', 'mediaId', 'text', true, 'media'), col('tag_id', 'tagId', 'text', true, 'tags')], ['media_id', 'tag_id']),
];

export const catalogEntity = (name: string): CatalogEntity => {
  const found = CATALOG_ENTITIES.find((e) => e.name === name);
  if (!found) throw new Error(`no catalog entity ${name}`);
  return found;
};
