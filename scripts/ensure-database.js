'use strict';
// Creates the database a DATABASE_URL names when it does not exist yet, so a
// fresh machine needs nothing but a running PostgreSQL. Usable as a module or
// on its own: `node scripts/ensure-database.js [url]`.
const { Client } = require('pg');

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ripple';

/** Resolves true when it created the database, false when it was already there. */
async function ensureDatabase(databaseUrl = DEFAULT_DATABASE_URL) {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) throw new Error(`DATABASE_URL names no database: ${redact(url)}`);
  if (name === 'postgres') return false;
  // The maintenance database always exists; CREATE DATABASE cannot run inside the target itself.
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (err) {
    // Someone else created it between our check and our create: same outcome.
    if (err.code === '42P04' || err.code === '23505') return false;
    throw err;
  } finally {
    await client.end();
  }
}

/** The URL without its password, for messages. */
function redact(url) {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  return copy.toString();
}

module.exports = { ensureDatabase, redact, DEFAULT_DATABASE_URL };

if (require.main === module) {
  const target = process.argv[2] || process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  ensureDatabase(target).then(
    (created) => console.log(`${created ? 'created' : 'found'} ${redact(target)}`),
    (err) => {
      console.error(`cannot prepare ${redact(target)}: ${err.message}`);
      process.exit(1);
    },
  );
}
