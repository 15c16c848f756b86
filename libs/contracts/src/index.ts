export * from './envelope';
export * from './uuid-v7';
export * from './subjects';
export * from './profiles.events';
export * from './pets.events';
export * from './venues.events';
export * from './connectors.events';
export * from './registry';
