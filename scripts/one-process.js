'use strict';
// Several Ripple services in this one Node process (every one with `npm start --
// --one-process`, a group of them with `--hosts`: scripts/hosting.js): each still
// its own Nest application with its own settings, schema, pool, NATS connection
// and port. scripts/start.js runs it with RIPPLE_SERVICES, a JSON list of
// { name, env } in start order (env: that service's own variables, over this
// process's environment).
require('reflect-metadata');
const { hostServices } = require('@ripple/service-host');

const MODULES = {
  profiles: () => require('../apps/profiles/dist/profiles.module.js').ProfilesModule,
  venues: () => require('../apps/venues/dist/venues.module.js').VenuesModule,
  pets: () => require('../apps/pets/dist/pets.module.js').PetsModule,
  connectors: () => require('../apps/connectors/dist/connectors.module.js').ConnectorsModule,
  gateway: () => require('../apps/gateway/dist/gateway.module.js').GatewayModule,
};
const CONFIGURE = { gateway: () => require('../apps/gateway/dist/configure-gateway.js').configureGateway };

function services(json) {
  let list;
  try {
    list = JSON.parse(json ?? '');
  } catch {
    /* said below */
  }
  if (!Array.isArray(list)) throw new Error('RIPPLE_SERVICES must be a JSON list of { name, env }, e.g. [{"name":"profiles","env":{"PORT":"3001"}}]');
  return list.map(({ name, env }) => {
    if (!MODULES[name]) throw new Error(`RIPPLE_SERVICES names "${name}": not one of ${Object.keys(MODULES).join(', ')}`);
    return { module: MODULES[name](), configure: CONFIGURE[name]?.(), env: { ...process.env, ...env } };
  });
}

try {
  void hostServices(services(process.env.RIPPLE_SERVICES));
} catch (err) {
  process.stderr.write(`one-process: ${err.message}\n`);
  process.exit(1);
}
