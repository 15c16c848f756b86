#!/usr/bin/env node
// Operations CLI over the compiled apps: replay a projection, republish a service's events.
require('reflect-metadata');
const { runOpsCli } = require('@ripple/service-host');
const appModules = [
  require('../apps/profiles/dist/profiles.module.js').ProfilesModule,
  require('../apps/venues/dist/venues.module.js').VenuesModule,
  require('../apps/pets/dist/pets.module.js').PetsModule,
  require('../apps/connectors/dist/connectors.module.js').ConnectorsModule,
];
runOpsCli(appModules, process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  },
);
