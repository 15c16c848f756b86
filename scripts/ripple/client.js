'use strict';
// The CLI's HTTP client: every call goes to the gateway, as an admin.
const { CommandError } = require('./errors');

const DEV_ADMIN_PASSWORD = 'ripple-admin-dev-password';

/**
 * `url`: the gateway. The token is RIPPLE_TOKEN, or one signed in for with
 * ADMIN_USERNAME / ADMIN_PASSWORD (the development defaults `npm start` uses).
 */
function createClient(url, env) {
  let token = env.RIPPLE_TOKEN;

  async function send(method, path, { auth = true, body } = {}) {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${token ?? (token = await signIn())}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new CommandError(`cannot reach Ripple at ${url} (${err.cause?.code ?? err.message}): is it running? Start it with npm start, or point --url / RIPPLE_URL at it`);
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const error = json?.error;
      const detail = error ? `${error.code}: ${error.message}${error.fields ? ` (${JSON.stringify(error.fields)})` : ''}` : text.slice(0, 200) || res.statusText;
      throw Object.assign(new CommandError(`${method} ${path} answered ${res.status}: ${detail}`), { status: res.status });
    }
    return json;
  }

  async function signIn() {
    const username = env.ADMIN_USERNAME || 'admin';
    const password = env.ADMIN_PASSWORD || DEV_ADMIN_PASSWORD;
    try {
      return (await send('POST', '/api/auth/login', { auth: false, body: { username, password } })).data.token;
    } catch (err) {
      if (err.status === 401 || err.status === 429) throw new CommandError(`cannot sign in as ${username}: ${err.message}. Set RIPPLE_TOKEN, or ADMIN_USERNAME and ADMIN_PASSWORD`);
      throw err;
    }
  }

  return {
    url,
    get: (path) => send('GET', path).then((r) => r.data),
    post: (path, body) => send('POST', path, { body }).then((r) => r.data),
    delete: (path) => send('DELETE', path).then((r) => r.data),
  };
}

module.exports = { createClient };
