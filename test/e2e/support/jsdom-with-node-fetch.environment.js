// A jsdom page (for React Testing Library) whose network is Node's: jsdom has no fetch
// and no web streams, and Node's fetch refuses jsdom's AbortSignal, so these come from
// Node together. Modules resolve as in Node, and binary data is Node's (NATS checks
// `instanceof Uint8Array`): the test also starts and cleans up Ripple's processes.
const { TestEnvironment } = require('jest-environment-jsdom');

const FROM_NODE = [
  'fetch', 'Request', 'Response', 'Headers', 'FormData', 'ReadableStream', 'WritableStream', 'TransformStream',
  'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'structuredClone', 'setImmediate', 'clearImmediate',
  'BroadcastChannel', 'MessageChannel', 'MessagePort', 'Uint8Array', 'ArrayBuffer',
];

class JsdomWithNodeFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of FROM_NODE) this.global[name] = globalThis[name];
    Object.defineProperty(this.global, 'crypto', { value: globalThis.crypto, configurable: true });
  }

  exportConditions() {
    return ['node', 'node-addons'];
  }
}

module.exports = JsdomWithNodeFetch;
