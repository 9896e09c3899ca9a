/**
 * One URL in front of several app replicas, as a load balancer puts them: each request goes to the
 * next replica in turn (so a redelivery of an event lands on another replica than the first delivery),
 * headers and body passed through unchanged (Slack's signature covers the raw body).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** How many requests each backend was handed, by its URL. */
  handled: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const handled = new Map(backends.map((backend) => [backend, 0]));
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, body: Buffer) => {
    const backend = backends[next++ % backends.length]!;
    handled.set(backend, (handled.get(backend) ?? 0) + 1);
    const target = new URL(incoming.url ?? '/', backend);
    const upstream = httpRequest(
      target,
      { method: incoming.method, headers: { ...incoming.headers, host: target.host } },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    // A replica that is down or drops the connection: 502, as a load balancer answers.
    upstream.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end('bad gateway');
    });
    upstream.end(body);
  };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => forward(incoming, outgoing, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    handled,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
