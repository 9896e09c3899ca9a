import type { App, Receiver, ReceiverEvent } from '@slack/bolt';

/** What Slack would get back for one request: the acknowledgement and whether processing failed. */
export interface Delivery {
  /** What `ack` was called with (`undefined` for a bare `ack()`); empty when nothing acknowledged. */
  acks: unknown[];
  /** The first acknowledgement's body, the answer Slack shows. */
  answer: Record<string, unknown> | undefined;
  /** Why `app.processEvent` rejected, if it did. */
  failure: unknown;
  /**
   * The HTTP status Bolt's HTTPReceiver (processBeforeResponse: true) would answer: 500 when
   * processing rejected (Slack then redelivers an event), 200 when acknowledged, 404 when not.
   */
  status: 200 | 404 | 500;
}

export interface SendOptions {
  /** Slack's `X-Slack-Retry-Num` on a redelivery. */
  retryNum?: number;
  retryReason?: string;
}

/**
 * A Bolt receiver without HTTP, after bolt-js's own test/unit/helpers/receivers.ts: `send` hands a
 * payload (already parsed, as a receiver would) straight to `app.processEvent` and records what the
 * app acknowledged. Signature checks and HTTP framing belong to the end-to-end tests.
 */
export class FakeReceiver implements Receiver {
  private app: App | undefined;

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async send(body: Record<string, unknown>, options: SendOptions = {}): Promise<Delivery> {
    if (!this.app) throw new Error('FakeReceiver: the app was not built with this receiver');
    const acks: unknown[] = [];
    const event: ReceiverEvent = {
      body,
      // Like HTTPResponseAck: a second ack is a bug in the listener, not something to record quietly.
      ack: async (response?: unknown) => {
        if (acks.length > 0) throw new Error('FakeReceiver: ack() called more than once');
        acks.push(response);
      },
      ...(options.retryNum !== undefined && { retryNum: options.retryNum }),
      ...(options.retryReason !== undefined && { retryReason: options.retryReason }),
    };
    let failure: unknown;
    try {
      await this.app.processEvent(event);
    } catch (error) {
      failure = error ?? new Error('processEvent rejected without a reason');
    }
    const first = acks[0];
    return {
      acks,
      answer: typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined,
      failure,
      status: failure !== undefined ? 500 : acks.length > 0 ? 200 : 404,
    };
  }
}
