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

  /** The response, once it is 2xx; its body unread. `stream`: no time limit (a replay answers as long as it runs). */
  async function respond(method, path, { auth = true, body, stream = false } = {}) {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${token ?? (token = await signIn())}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: stream ? undefined : AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new CommandError(`cannot reach Ripple at ${url} (${err.cause?.code ?? err.message}): is it running? Start it with npm start, or point --url / RIPPLE_URL at it`);
    }
    if (res.ok) return res;
    const text = await res.text();
    const error = parse(text)?.error;
    const detail = error ? `${error.code}: ${error.message}${error.fields ? ` (${JSON.stringify(error.fields)})` : ''}` : text.slice(0, 200) || res.statusText;
    throw Object.assign(new CommandError(`${method} ${path} answered ${res.status}: ${detail}`), { status: res.status });
  }

  const send = async (method, path, opts) => parse(await (await respond(method, path, opts)).text());

  /** Each JSON line of a streamed answer, as it comes. */
  async function* lines(method, path) {
    const res = await respond(method, path, { stream: true });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if (line) yield JSON.parse(line);
      }
    }
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
    postLines: (path) => lines('POST', path),
  };
}

function parse(text) {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { createClient };
