import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Store } from './store/types.ts';

/** GET /healthz: 200 while the store answers, 503 when it does not (a load balancer then stops routing). */
export function healthRoute(store: Pick<Store, 'ping'>) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: ServerResponse) => {
      store.ping().then(
        () => send(res, 200, { ok: true }),
        () => send(res, 503, { ok: false, error: 'store unavailable' }),
      );
    },
  };
}

function send(res: ServerResponse, status: number, body: object) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * In Socket Mode no Slack traffic arrives over HTTP, so /healthz gets a small server of its own
 * (Bolt's Socket Mode receiver can host custom routes, but does not tell which port it bound).
 */
export async function startHealthServer(
  store: Pick<Store, 'ping'>,
  port: number,
  /** More GET routes on the same port (GET /metrics). */
  more: ReadonlyArray<{ path: string; handler: (req: unknown, res: ServerResponse) => void }> = [],
): Promise<Server> {
  const routes = [healthRoute(store), ...more];
  const server = createServer((req, res) => {
    const route = req.method === 'GET' ? routes.find((r) => r.path === req.url?.split('?')[0]) : undefined;
    if (route) route.handler(req, res);
    else send(res, 404, { ok: false, error: 'not found' });
  });
  server.listen(port);
  await once(server, 'listening');
  return server;
}
