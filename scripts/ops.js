#!/usr/bin/env node
// Operations CLI over the compiled apps: replay a projection, republish a service's events.
const { runOpsCli } = require('@ripple/service-host');
const definitions = [
  require('../apps/profiles/dist/profiles.definition.js').profilesDefinition,
  require('../apps/venues/dist/venues.definition.js').venuesDefinition,
  require('../apps/pets/dist/pets.definition.js').petsDefinition,
  require('../apps/connectors/dist/connectors.definition.js').connectorsDefinition,
];
runOpsCli(definitions, process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  },
);
