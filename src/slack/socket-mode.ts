import { type App, ErrorCode, type Logger, type SocketModeReceiver } from '@slack/bolt';
import { failureSummary } from './failures';

/** Waits between attempts to reach Slack: 1 s, 2 s, 4 s … at most a minute. */
const BACKOFF_MS = { first: 1_000, max: 60_000 };

/**
 * Socket Mode's link to Slack, kept up without blocking start-up: when Slack cannot be reached the
 * process keeps serving /healthz (which says so) and retries with backoff, logging one line per try
 * instead of a stack trace. The same loop reconnects a socket that closes later (Slack's `disconnect`,
 * a dropped connection): the receiver is built with the client's own reconnection off (app.ts),
 * because that one gives up for good on an HTTP or network error of apps.connections.open and leaves
 * a promise rejection nobody handles, which ends the process.
 */
export class SocketModeConnection {
  private state: 'connecting' | 'connected' | 'reconnecting' | 'unreachable' = 'connecting';
  private lastFailure = '';
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly receiver: SocketModeReceiver,
    private readonly logger: Logger,
    app: App,
  ) {
    acknowledgeEventsOnceProcessed(receiver, app);
    receiver.client.on('connected', () => {
      if (this.state !== 'connected') this.logger.info('Socket Mode: connected to Slack');
      this.state = 'connected';
    });
    // The socket of an established connection closed. (A failed attempt is its own attempt's to retry.)
    receiver.client.on('disconnected', () => {
      if (this.stopped || this.state !== 'connected') return;
      this.state = 'reconnecting';
      this.logger.warn('Socket Mode: the connection to Slack closed; reconnecting');
      void this.attempt(() => this.receiver.client.start(), 0);
    });
  }

  /** Starts the HTTP routes (/healthz, OAuth) and the first connection attempt; never rejects. */
  async start(): Promise<void> {
    // The receiver's start listens for HTTP and connects; a failed connection leaves the listener up.
    await this.attempt(() => this.receiver.start(), 0);
  }

  private async attempt(connect: () => Promise<unknown>, failures: number): Promise<void> {
    try {
      await connect();
    } catch (error) {
      if (this.stopped) return;
      this.state = 'unreachable';
      // A socket that closes before Slack's hello rejects with nothing.
      this.lastFailure = error === undefined ? 'the WebSocket closed before Slack said hello' : failureSummary(error);
      const delay = Math.min(BACKOFF_MS.max, BACKOFF_MS.first * 2 ** failures);
      this.logger.warn(`Socket Mode: cannot reach Slack (${this.lastFailure}); retrying in ${delay / 1000} s`);
      this.retryTimer = setTimeout(() => void this.attempt(() => this.receiver.client.start(), failures + 1), delay);
    }
  }

  /** Why Slack's events cannot arrive, for /healthz; empty while connected. */
  problems(): string[] {
    if (this.state === 'connected') return [];
    if (this.state === 'unreachable') return [`Slack unreachable over Socket Mode (${this.lastFailure}); retrying`];
    return [`Socket Mode ${this.state}`];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.receiver.stop();
  }
}

/** What the Socket Mode client hands to `slack_event` listeners (@slack/socket-mode's SocketModeClient). */
interface SocketModeEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/**
 * Over HTTP, `processBeforeResponse` holds Slack's 200 until an event's work committed. Bolt's Socket
 * Mode receiver acknowledges an Events API envelope before any listener runs, so a failure or a crash
 * would lose it. This replaces the receiver's envelope handler: an event envelope is acknowledged only
 * once processed, and one whose work failed is not acknowledged at all, so Slack redelivers it (with
 * `retry_attempt`; the event id dedupes). Commands and interactions keep their listeners' own ack.
 */
function acknowledgeEventsOnceProcessed(receiver: SocketModeReceiver, app: App): void {
  receiver.client.removeAllListeners('slack_event');
  receiver.client.on('slack_event', async (envelope: SocketModeEnvelope) => {
    const isEvent = envelope.type === 'events_api';
    let acknowledged = false;
    const ack = async (response?: Record<string, unknown>) => {
      if (acknowledged) return;
      acknowledged = true;
      if (!isEvent) await envelope.ack(response);
    };
    try {
      await app.processEvent({
        body: envelope.body,
        ack,
        ...(envelope.retry_num !== undefined && { retryNum: envelope.retry_num }),
        ...(envelope.retry_reason !== undefined && { retryReason: envelope.retry_reason }),
      });
      if (isEvent) await envelope.ack();
    } catch (error) {
      // No installation serves the workspace: nothing a redelivery could fix (Bolt's own rule).
      if ((error as { code?: unknown }).code === ErrorCode.AuthorizationError) await envelope.ack();
    }
  });
}
