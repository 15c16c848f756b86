import { Client } from 'pg';

/**
 * The alternatives' tables, in the same database as Ripple's run and seeded with
 * the same owners: a users table and a venues table shaped like Ripple's
 * (profiles.users' profile JSON, venues.venues' columns).
 *   alt_sync: the request handler updates both rows in one transaction (alternative a).
 *   alt_trg:  the handler updates users only; an AFTER UPDATE trigger writes the
 *             venue row and NOTIFYs `alt_changes` in the same transaction (alternative b).
 */
export async function createAltSchemas(databaseUrl: string, owners: { id: string; username: string }[]): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    for (const schema of ['alt_sync', 'alt_trg']) {
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema}`);
      await c.query(`CREATE TABLE ${schema}.users (id uuid PRIMARY KEY, username text NOT NULL, role text NOT NULL, profile_info jsonb NOT NULL, version int NOT NULL DEFAULT 1, updated_at timestamptz NOT NULL DEFAULT now())`);
      await c.query(`CREATE TABLE ${schema}.venues (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), owner_id uuid NOT NULL UNIQUE, name text NOT NULL, location text NOT NULL,
        description text NOT NULL DEFAULT '', contact_info jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), version int NOT NULL DEFAULT 1)`);
      await c.query(
        `INSERT INTO ${schema}.users (id, username, role, profile_info)
         SELECT id, username, 'venue', jsonb_build_object('venueName', 'Arena ' || username, 'venueLocation', 'Quito, Ecuador') FROM unnest($1::uuid[], $2::text[]) AS x(id, username)`,
        [owners.map((o) => o.id), owners.map((o) => o.username)],
      );
      await c.query(`INSERT INTO ${schema}.venues (owner_id, name, location) SELECT id, profile_info->>'venueName', profile_info->>'venueLocation' FROM ${schema}.users`);
    }
    await c.query(`
      CREATE FUNCTION alt_trg.propagate() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE v alt_trg.venues;
      BEGIN
        UPDATE alt_trg.venues SET
          name = coalesce(NEW.profile_info->>'venueName', name),
          location = coalesce(NEW.profile_info->>'venueLocation', location),
          description = coalesce(NEW.profile_info->>'venueDescription', ''),
          updated_at = now(), version = version + 1
        WHERE owner_id = NEW.id RETURNING * INTO v;
        IF FOUND THEN
          PERFORM pg_notify('alt_changes', json_build_object('ownerId', v.owner_id, 'venueId', v.id, 'description', v.description, 'version', v.version)::text);
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER propagate AFTER UPDATE ON alt_trg.users FOR EACH ROW EXECUTE FUNCTION alt_trg.propagate();`);
  } finally {
    await c.end();
  }
}

export async function dropAltSchemas(databaseUrl: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS alt_sync CASCADE; DROP SCHEMA IF EXISTS alt_trg CASCADE').finally(() => c.end());
}
