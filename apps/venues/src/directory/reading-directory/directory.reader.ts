import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RippleError } from '@ripple/errors';
import type { DirectoryQueryDto } from './directory-query.dto';

export class BusinessNotFoundError extends RippleError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;
  constructor(kind: string, id: string) {
    super(`${kind} ${id} not found`);
  }
}

export type BusinessKind = 'venue' | 'gallera';
const TABLE: Record<BusinessKind, string> = { venue: 'venues.venues', gallera: 'venues.galleras' };

const view = (kind: BusinessKind, r: Record<string, any>) => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  location: r.location,
  description: r.description,
  contactInfo: r.contact_info,
  ...(kind === 'gallera' ? { specialties: r.specialties, activeRoosters: r.active_roosters } : {}),
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
  lastChangedBy: { eventId: r.last_event_id, eventType: r.last_event_type },
});

@Injectable()
export class DirectoryReader {
  constructor(private readonly dataSource: DataSource) {}

  async list(kind: BusinessKind, q: DirectoryQueryDto) {
    const rows = await this.dataSource.query(
      `SELECT *, count(*) OVER () AS total FROM ${TABLE[kind]} WHERE ($1::uuid IS NULL OR owner_id = $1) ORDER BY created_at, id LIMIT $2 OFFSET $3`,
      [q.ownerId ?? null, q.limit, q.offset],
    );
    return { data: rows.map((r: Record<string, any>) => view(kind, r)), total: rows.length ? Number(rows[0].total) : 0, limit: q.limit, offset: q.offset };
  }

  async get(kind: BusinessKind, id: string) {
    const [row] = await this.dataSource.query(`SELECT * FROM ${TABLE[kind]} WHERE id = $1`, [id]);
    if (!row) throw new BusinessNotFoundError(kind, id);
    return view(kind, row);
  }
}
