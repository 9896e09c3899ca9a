/**
 * Ceiling 1: the framework alone. The same Bolt HTTPReceiver Debrief uses (same endpoint, signature
 * check, processBeforeResponse, unhandled-request timeout) with a message listener that does nothing.
 * Whatever Debrief does per event comes on top of this.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

async function main() {
  const signingSecret = process.env.BENCH_SIGNING_SECRET ?? '';
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: '/slack/events',
    processBeforeResponse: true,
    unhandledRequestTimeoutMillis: 3_001,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: 'xoxb-noop',
    botId: 'BDEBRIEF',
    botUserId: 'UDEBRIEF',
    tokenVerificationEnabled: false,
    receiver,
    logLevel: LogLevel.ERROR,
  });
  app.event('message', async () => undefined);
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as { address(): AddressInfo };
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${server.address().port}` });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void app.stop().then(() => process.exit(0));
  });
}

void main();
