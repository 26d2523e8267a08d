import type { Store } from './store/types.ts';

/** GET /healthz: 200 while the store answers, 503 when it does not (a load balancer then stops routing). */
export function healthRoute(store: Pick<Store, 'ping'>) {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req: unknown, res: import('node:http').ServerResponse) => {
      store.ping().then(
        () => send(200, { ok: true }),
        () => send(503, { ok: false, error: 'store unavailable' }),
      );
      function send(status: number, body: object) {
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      }
    },
  };
}
