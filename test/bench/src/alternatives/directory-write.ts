/**
 * What the venue directory writes for a batch, done raw as one statement (data-modifying CTEs):
 * $1 the owners' profile rows, $2 their venue rows, $3 the VenueSynced event rows (their outbox
 * rows from the insert's positions), $4 the checkpoints, each as a JSON array.
 */
export function directoryWriteSql(t: { ownerProfiles: string; venues: string; events: string; outbox: string; checkpoints: string }): string {
  return `WITH
    p AS (INSERT INTO ${t.ownerProfiles} (user_id, username, role, profile_info)
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(user_id uuid, username text, role text, profile_info jsonb)
      ON CONFLICT (user_id) DO UPDATE SET username = EXCLUDED.username, role = EXCLUDED.role, profile_info = EXCLUDED.profile_info),
    v AS (INSERT INTO ${t.venues} (id, owner_id, name, location, description, contact_info, created_at, updated_at, last_event_id, last_event_type, version)
      SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, owner_id uuid, name text, location text, description text, contact_info jsonb, created_at timestamptz, updated_at timestamptz, last_event_id uuid, last_event_type text, version int)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, location = EXCLUDED.location, description = EXCLUDED.description, contact_info = EXCLUDED.contact_info,
        updated_at = EXCLUDED.updated_at, last_event_id = EXCLUDED.last_event_id, last_event_type = EXCLUDED.last_event_type, version = EXCLUDED.version),
    e AS (INSERT INTO ${t.events} (id, stream_id, aggregate_type, version, type, schema_version, data, correlation_id, causation_id, actor, occurred_at)
      SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(id uuid, stream_id text, aggregate_type text, version int, type text, schema_version int, data jsonb, correlation_id text, causation_id text, actor text, occurred_at timestamptz)
      RETURNING position),
    o AS (INSERT INTO ${t.outbox} (position) SELECT position FROM e),
    c AS (INSERT INTO ${t.checkpoints} (aggregate_id, version, event_id)
      SELECT * FROM jsonb_to_recordset($4::jsonb) AS x(aggregate_id text, version int, event_id uuid)
      ON CONFLICT (aggregate_id) DO UPDATE SET version = EXCLUDED.version, event_id = EXCLUDED.event_id, applied_at = now())
    SELECT 1`;
}
