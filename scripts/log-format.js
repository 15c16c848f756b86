'use strict';
// Readable log lines for a terminal: `npm start` turns each app's JSON lines into
// `12:00:01.234 profiles │ INFO  admin user created username=admin`, one colour per app.
const readline = require('node:readline');

const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
const APP_COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[32m', '\x1b[34m', '\x1b[33m', '\x1b[96m', '\x1b[95m', '\x1b[92m'];
const LEVELS = { debug: '\x1b[90mDEBUG', info: '\x1b[32mINFO ', warn: '\x1b[33mWARN ', error: '\x1b[31mERROR' };

/** `json` (a line as the app wrote it) or `pretty`; LOG_FORMAT wins, else pretty only on a terminal. */
function logFormat(env, isTTY) {
  const v = env.LOG_FORMAT;
  if (v === undefined || v === '') return isTTY ? 'pretty' : 'json';
  if (v === 'json' || v === 'pretty') return v;
  throw new Error(`LOG_FORMAT must be json or pretty, not "${v}"`);
}

const field = (v) => (typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v));

/**
 * One line of an app's output, readable: its JSON fields after the message, an error's stack below it; any other text as it is.
 * `tagFor` is the app's tag, or a function of the parsed line (undefined when it is not JSON) giving it.
 */
function prettyLine(tagFor, line) {
  let entry;
  try {
    entry = JSON.parse(line);
  } catch {
    /* not JSON: a stack trace or a message written by hand */
  }
  const tag = typeof tagFor === 'function' ? tagFor(entry) : tagFor;
  if (!entry || typeof entry !== 'object' || typeof entry.msg !== 'string') return `${' '.repeat(12)} ${tag} ${line}`;
  const { time, level, service, msg, err, stack, ...rest } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 23) : ' '.repeat(12);
  const extra = Object.entries(rest).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${field(v)}`).join(' ');
  const trace = (err && err.stack) || stack;
  return `${DIM}${clock}${RESET} ${tag} ${LEVELS[level] ?? String(level).toUpperCase().padEnd(5)}${RESET} ${msg}${extra ? ` ${DIM}${extra}${RESET}` : ''}${trace ? `\n${DIM}${trace}${RESET}` : ''}`;
}

/** A coloured, padded `name │` for each app, in the order given. */
function tagger(names) {
  const width = Math.max(...names.map((n) => n.length));
  const tags = new Map(names.map((n, i) => [n, `${APP_COLOURS[i % APP_COLOURS.length]}${n.padEnd(width)} │${RESET}`]));
  return (name) => tags.get(name) ?? `${name.padEnd(width)} │`;
}

/** Reads a child's stream line by line and writes each one readable to `out`. */
function prettyPipe(stream, tag, out) {
  readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prettyLine(tag, line)}\n`));
}

module.exports = { logFormat, prettyLine, prettyPipe, tagger };
