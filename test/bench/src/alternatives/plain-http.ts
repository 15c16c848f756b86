import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyJwt } from './jwt';

/** The alternatives' servers (plain node:http): a JSON answer with its length. */
export const send = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** A request's JSON body (`{}` when empty); rejects on JSON that does not parse. */
export const readBody = (req: IncomingMessage) =>
  new Promise<any>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}'));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });

/** The user a request's bearer token names, if the token is signed with `secret` and current. */
export const bearerSubject = (req: IncomingMessage, secret: string) => {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return token ? verifyJwt(token, secret) : undefined;
};
