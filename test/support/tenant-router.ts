import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlackStandIn } from '../kit/slack-stand-in';

/**
 * slack.com for several simulated workspaces at once: each Web API call goes to the stand-in whose
 * token it carries (Slack tells workspaces apart by token, not by the ids in the arguments, which
 * may collide). oauth.v2.access carries no token, only the app's credentials and a code: it goes
 * to the stand-in named by `installing`, the one whose authorize page issued the code.
 */
export interface TenantRouter {
  /** What the app's SLACK_API_URL is set to. */
  apiUrl: string;
  /** The stand-in that issued the OAuth code about to be exchanged. */
  installing: SlackStandIn | undefined;
  close(): Promise<void>;
}

export async function startTenantRouter(standIns: readonly SlackStandIn[]): Promise<TenantRouter> {
  const router: TenantRouter = { apiUrl: '', installing: undefined, close: async () => {} };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const target = (request.url ?? '').includes('oauth.v2.access')
        ? router.installing
        : standIns.find((s) => s.credentialOf(token) !== undefined);
      if (!target) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: false, error: 'invalid_auth' }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const path = (request.url ?? '/').replace(/^\//, '');
      fetch(new URL(path, target.baseUrl), { method: request.method ?? 'POST', headers, body })
        .then(async (answer) => {
          const out: Record<string, string> = {};
          answer.headers.forEach((value, name) => {
            if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') out[name] = value;
          });
          response.writeHead(answer.status, out);
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  router.apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  router.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return router;
}
