#!/usr/bin/env node
'use strict';
// `npx ripple`: operate a running Ripple over HTTP, through its gateway, as an admin.
const { createClient } = require('./ripple/client');
const deadLetters = require('./ripple/dead-letters');
const { CommandError, UsageError } = require('./ripple/errors');
const { lag } = require('./ripple/pipeline');
const { replay, republish } = require('./ripple/replay');
const runs = require('./ripple/runs');

const USAGE = `usage: ripple <command> [options]

  lag                                   every projection's lag and open dead letters, every outbox's backlog
  replay <projection>... | --all        rebuild projections from their streams (blue/green), the gateway's feed included
  republish <service> [--from N]        after broker data loss: the service's relay publishes its events again
  dead-letters list [--service S] [--status open|resolved|discarded] [--projection P]
  dead-letters retry <id>               re-apply a dead letter and the events parked behind it
  dead-letters discard <id>             give up on a dead letter (the head of its chain)
  runs list [--connector C] [--limit N] connector runs
  runs start <connector> [--incremental] [--no-watch]
  runs watch <id>                       a run's per-entity progress until it finishes

options: --url <gateway> (default RIPPLE_URL, else http://127.0.0.1:3000)
auth:    RIPPLE_TOKEN, else signs in with ADMIN_USERNAME / ADMIN_PASSWORD (the development defaults of npm start)
`;

// Each command with the flags it takes: `true` for a flag without a value.
const COMMANDS = {
  lag: { run: lag, flags: {} },
  replay: { run: replay, flags: { all: true } },
  republish: { run: republish, flags: { from: false } },
  'dead-letters list': { run: deadLetters.list, flags: { service: false, status: false, projection: false } },
  'dead-letters retry': { run: deadLetters.retry, flags: { service: false } },
  'dead-letters discard': { run: deadLetters.discard, flags: { service: false } },
  'runs list': { run: runs.list, flags: { connector: false, limit: false } },
  'runs start': { run: runs.start, flags: { incremental: true, watch: true } },
  'runs watch': { run: runs.watch, flags: {} },
};

function parse(argv) {
  const positional = [];
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(no-)?([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      positional.push(argv[i]);
      continue;
    }
    const [, no, name, inline] = m;
    flags[name] = no ? false : inline ?? (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') && !BOOLEAN.has(name) ? argv[++i] : true);
  }
  return { positional, flags };
}
const BOOLEAN = new Set(['all', 'incremental', 'watch', 'help']);

async function main(argv, env, out) {
  const { positional, flags } = parse(argv);
  if (flags.help || !positional.length) {
    out.write(USAGE);
    return flags.help ? 0 : 2;
  }
  const name = COMMANDS[`${positional[0]} ${positional[1]}`] ? `${positional[0]} ${positional[1]}` : positional[0];
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${positional.slice(0, 2).join(' ')}"`);
  const { url, ...own } = flags;
  for (const [flag, value] of Object.entries(own)) {
    if (!(flag in command.flags)) throw new UsageError(`${name} takes no --${flag}`);
    if (command.flags[flag] === false && (value === true || value === false)) throw new UsageError(`--${flag} needs a value`);
  }
  if (url === true) throw new UsageError('--url needs a value');
  const api = createClient(String(url ?? env.RIPPLE_URL ?? `http://127.0.0.1:${env.PORT || 3000}`).replace(/\/+$/, ''), env);
  await command.run(api, { positional: positional.slice(name.split(' ').length), flags: own }, out);
  return 0;
}

main(process.argv.slice(2), process.env, process.stdout).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`ripple: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(err instanceof CommandError ? `ripple: ${err.message}\n` : `ripple: ${err.stack ?? err}\n`);
    process.exit(1);
  },
);
