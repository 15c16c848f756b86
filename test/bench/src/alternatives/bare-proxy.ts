import { Agent, createServer, request } from 'node:http';

/**
 * The floor under the gateway's proxy hop in scenario 2: the least a Node HTTP proxy can do, as
 * its own process like the gateway. Every request is streamed to TARGET (the profiles app) over
 * a keep-alive pool and the answer streamed back: no routing, no headers rewritten, no metrics,
 * no logging. `/health` answers locally.
 */
const target = new URL(process.env.TARGET!);
// Idle sockets close before the upstream's keep-alive timeout (Node: 5 s) can race a reuse, as the gateway's do.
const agent = new Agent({ keepAlive: true, timeout: 4000 });

createServer((req, res) => {
  if (req.url === '/health') return void res.end('ok');
  const upstream = request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}).listen(Number(process.env.PORT), '127.0.0.1');
