/**
 * Socket Mode on the Slack stand-in: `apps.connections.open` and the WebSocket it points to.
 *
 * As Slack does it: an app-level token (`xapp-…`, scope `connections:write`) asks
 * `apps.connections.open` for a `wss://…/link/?ticket=…` URL; the ticket opens one WebSocket, once.
 * On connecting the app is sent `hello`; then every request Slack would have POSTed arrives as an
 * envelope (`events_api`, `slash_commands`, `interactive`) that the app acknowledges by sending back
 * its `envelope_id`, with a payload where `accepts_response_payload` allows one (a command's answer,
 * a view submission's `response_action`). An event not acknowledged within 3 s is delivered again
 * with `retry_attempt` 1..3; a command or interaction not acknowledged in time is the user's
 * `operation_timeout`. Slack recycles connections with `disconnect` messages (`warning`, then
 * `refresh_requested`) and, like any network, can drop one without a word.
 *
 * The payloads are those the request builders of slack-requests.ts make for HTTP: an envelope carries
 * the same JSON (a slash command's form fields as an object), unsigned.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { fail } from './slack-errors';
import type { SignedBody } from './slack-requests';
import type { JsonObject } from './types';

export const APPS_CONNECTIONS_OPEN = 'apps.connections.open';
/** The app-level scope apps.connections.open needs (never a bot scope: not in the manifest's bot list). */
export const CONNECTIONS_WRITE = 'connections:write';
/** Where the WebSocket URLs point, beside /api/ (Slack's are wss://wss-primary.slack.com/link/). */
export const LINK_PATH = '/link/';
/** How long a ticket from apps.connections.open stays good (Slack's are short-lived; they are single use). */
export const TICKET_TTL_MS = 30_000;
const SLACK_DEADLINE_MS = 3000;
const EVENT_RETRIES = 3;

export type EnvelopeType = 'events_api' | 'slash_commands' | 'interactive';
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface SocketModeOptions {
  /** The app-level token (`xapp-…`) the app is configured with. */
  appToken: string;
  /** The app-level token's scopes (default: connections:write). */
  scopes?: readonly string[];
  /** How long Slack waits for an acknowledgement (Slack: 3 s). */
  deadlineMs?: number;
}

/** What Slack sent over a connection. */
export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: JsonObject;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export interface EnvelopeAck {
  envelopeId: string;
  /** The payload the app sent back (the socket-mode client always sends one, `{}` when it has nothing to say). */
  payload?: JsonObject;
  connectionId: number;
  at: Date;
}

export interface Delivery {
  envelope: Envelope;
  connectionId: number;
  /** Undefined when the app did not acknowledge within the deadline. */
  ack?: EnvelopeAck;
  timedOut: boolean;
}

export interface SocketDelivery extends Delivery {
  /** For an event: every delivery, the first and Slack's redeliveries, in order. */
  deliveries: Delivery[];
}

export interface SocketSendOptions {
  /** Sends this one redelivery (retry_attempt) only, as Slack does after a missed acknowledgement. */
  retryAttempt?: number;
  retryReason?: string;
}

export interface ConnectionRecord {
  id: number;
  openedAt: Date;
  closedAt?: Date;
  /** The WebSocket close code (1000 when the app closed it after a `disconnect`, 1006 when dropped). */
  closeCode?: number;
  /** Who ended it: the app (a close frame), or the server (`drop`, `close`). */
  closedBy?: 'app' | 'server';
}

/** Slack's answer to the app's user when a command or an interaction was not acknowledged within 3 s. */
export class SocketOperationTimeoutError extends Error {
  readonly code = 'operation_timeout';

  constructor(what: string, deadlineMs: number) {
    super(`operation_timeout: the app did not acknowledge ${what} within ${deadlineMs} ms over Socket Mode`);
    this.name = 'SocketOperationTimeoutError';
  }
}

interface Ticket {
  issuedAt: number;
  used: boolean;
}

interface OpenConnection {
  record: ConnectionRecord;
  socket: WebSocket;
}

interface Pending {
  resolve: (ack: EnvelopeAck) => void;
}

/** The socket side of the stand-in; the stand-in routes apps.connections.open and WebSocket upgrades here. */
export class SocketModeServer {
  readonly appToken: string;
  private readonly scopes: readonly string[];
  private readonly deadlineMs: number;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, Ticket>();
  private readonly open: OpenConnection[] = [];
  private readonly records: ConnectionRecord[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly ackLog: EnvelopeAck[] = [];
  private readonly sent: { connectionId: number; message: JsonObject }[] = [];
  private refusing = false;
  private nextConnectionId = 1;
  /** What the app sent that Slack would not understand (not JSON, an unknown or repeated envelope_id). */
  readonly protocolErrors: string[] = [];

  constructor(
    options: SocketModeOptions,
    private readonly context: { appId: () => string; baseUrl: () => string; now: () => number },
  ) {
    if (!options.appToken.startsWith('xapp-')) throw new Error('an app-level token starts with xapp-');
    this.appToken = options.appToken;
    this.scopes = options.scopes ?? [CONNECTIONS_WRITE];
    this.deadlineMs = options.deadlineMs ?? SLACK_DEADLINE_MS;
  }

  // apps.connections.open

  /**
   * apps.connections.open: only the app-level token may call it (a bot token is `not_allowed_token_type`,
   * a token Slack does not know `invalid_auth`); answers a single-use WebSocket URL.
   */
  connectionsOpen(token: string | undefined, isOtherKnownToken: (token: string) => boolean): JsonObject {
    if (token === undefined || token === '') fail('not_authed');
    if (token !== this.appToken) fail(isOtherKnownToken(token) ? 'not_allowed_token_type' : 'invalid_auth');
    if (!this.scopes.includes(CONNECTIONS_WRITE)) {
      fail('missing_scope', { needed: CONNECTIONS_WRITE, provided: this.scopes.join(',') });
    }
    const ticket = randomUUID();
    this.tickets.set(ticket, { issuedAt: this.context.now(), used: false });
    const url = new URL(`${LINK_PATH}?ticket=${ticket}&app_id=${this.context.appId()}`, this.context.baseUrl());
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { url: url.toString() };
  }

  // the WebSocket

  /** An HTTP upgrade on the stand-in's port: a WebSocket for a good ticket, else an HTTP error. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refusal = this.refusal(request);
    if (refusal) {
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
  }

  /** Why an upgrade is refused (an HTTP status line), or undefined; takes the ticket when it is good. */
  private refusal(request: IncomingMessage): string | undefined {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    if (url.pathname !== LINK_PATH) return '404 Not Found';
    if (this.refusing) return '503 Service Unavailable';
    const ticket = this.tickets.get(url.searchParams.get('ticket') ?? '');
    if (!ticket || ticket.used || this.context.now() - ticket.issuedAt > TICKET_TTL_MS) return '401 Unauthorized';
    ticket.used = true;
    return undefined;
  }

  private accept(socket: WebSocket): void {
    const record: ConnectionRecord = { id: this.nextConnectionId++, openedAt: new Date(this.context.now()) };
    const connection: OpenConnection = { record, socket };
    this.records.push(record);
    this.open.push(connection);
    socket.on('message', (data, isBinary) => this.receive(connection, data, isBinary));
    socket.on('close', (code) => {
      const index = this.open.indexOf(connection);
      if (index >= 0) this.open.splice(index, 1);
      record.closedAt = new Date(this.context.now());
      record.closeCode = code;
      record.closedBy ??= 'app';
    });
    socket.on('error', (error) => this.protocolErrors.push(`connection ${record.id}: ${error.message}`));
    this.sendTo(connection, {
      type: 'hello',
      num_connections: this.open.length,
      debug_info: {
        host: 'applink-stand-in',
        build_number: 1,
        approximate_connection_time: 18_060,
      },
      connection_info: { app_id: this.context.appId() },
    });
  }

  private receive(connection: OpenConnection, data: RawData, isBinary: boolean): void {
    const id = connection.record.id;
    if (isBinary) {
      this.protocolErrors.push(`connection ${id}: a binary frame`);
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      this.protocolErrors.push(`connection ${id}: not JSON: ${rawText(data).slice(0, 100)}`);
      return;
    }
    const envelopeId = isObject(message) ? message.envelope_id : undefined;
    if (typeof envelopeId !== 'string') {
      this.protocolErrors.push(`connection ${id}: a message without envelope_id: ${rawText(data).slice(0, 100)}`);
      return;
    }
    const payload = isObject(message) ? message.payload : undefined;
    if (payload !== undefined && !isObject(payload)) {
      this.protocolErrors.push(`connection ${id}: the payload of ${envelopeId} is not an object`);
      return;
    }
    const ack: EnvelopeAck = {
      envelopeId,
      ...(payload !== undefined && { payload }),
      connectionId: id,
      at: new Date(this.context.now()),
    };
    this.ackLog.push(ack);
    const waiting = this.pending.get(envelopeId);
    if (!waiting) {
      this.protocolErrors.push(`connection ${id}: an acknowledgement of unknown or already acknowledged ${envelopeId}`);
      return;
    }
    this.pending.delete(envelopeId);
    waiting.resolve(ack);
  }

  private sendTo(connection: OpenConnection, message: JsonObject): void {
    this.sent.push({ connectionId: connection.record.id, message });
    connection.socket.send(JSON.stringify(message));
  }

  // delivering what Slack would have POSTed

  /**
   * Delivers a request built by slack-requests.ts over the newest open connection and waits for its
   * acknowledgement. An event not acknowledged in time is delivered again (retry_attempt 1..3,
   * retry_reason `timeout`), unless `retryAttempt` is given: that sends the one redelivery asked for.
   * A command or interaction not acknowledged in time throws SocketOperationTimeoutError.
   */
  async send(body: SignedBody, options: SocketSendOptions = {}): Promise<SocketDelivery> {
    const type = envelopeTypeOf(body.payload);
    const payload = body.payload;
    const envelopeFor = (retryAttempt: number, retryReason: string): Envelope => ({
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload(type, payload),
      retry_attempt: retryAttempt,
      retry_reason: retryReason,
    });
    if (type !== 'events_api') {
      const delivery = await this.deliver(envelopeFor(options.retryAttempt ?? 0, options.retryReason ?? ''));
      if (delivery.timedOut) throw new SocketOperationTimeoutError(describe(payload), this.deadlineMs);
      return { ...delivery, deliveries: [delivery] };
    }
    if (options.retryAttempt !== undefined) {
      const delivery = await this.deliver(envelopeFor(options.retryAttempt, options.retryReason ?? 'timeout'));
      return { ...delivery, deliveries: [delivery] };
    }
    const deliveries = [await this.deliver(envelopeFor(0, ''))];
    for (let attempt = 1; attempt <= EVENT_RETRIES && deliveries.at(-1)!.timedOut; attempt++) {
      deliveries.push(await this.deliver(envelopeFor(attempt, 'timeout')));
    }
    return { ...deliveries.at(-1)!, deliveries };
  }

  /** Sends one envelope over the newest open connection; resolves with its acknowledgement or a timeout. */
  async deliver(envelope: Envelope): Promise<Delivery> {
    const connection = this.open.at(-1);
    if (!connection) throw new Error('no Socket Mode connection is open: the app is not connected');
    let timer: NodeJS.Timeout | undefined;
    const acked = new Promise<EnvelopeAck>((resolve) => this.pending.set(envelope.envelope_id, { resolve }));
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.deadlineMs);
    });
    this.sendTo(connection, { ...envelope });
    const ack = await Promise.race([acked, timedOut]);
    clearTimeout(timer);
    // A late acknowledgement is Slack's too: it is recorded, but the delivery has already failed.
    if (!ack) this.pending.set(envelope.envelope_id, { resolve: () => undefined });
    return {
      envelope,
      connectionId: connection.record.id,
      ...(ack !== undefined && { ack }),
      timedOut: ack === undefined,
    };
  }

  // Slack's side of a connection's life

  /** Sends `{"type":"disconnect","reason":…}` on every open connection (or the one given), as Slack recycles them. */
  disconnect(reason: DisconnectReason, connectionId?: number): void {
    for (const connection of this.open) {
      if (connectionId !== undefined && connection.record.id !== connectionId) continue;
      this.sendTo(connection, { type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } });
    }
  }

  /** Drops every open connection without a close frame, as a network failure or a lost link server would. */
  drop(): void {
    for (const connection of this.open.splice(0)) {
      connection.record.closedBy = 'server';
      connection.socket.terminate();
    }
  }

  /** While set, WebSocket upgrades are refused (503): Slack's link servers cannot be reached. */
  refuseConnections(refusing: boolean): void {
    this.refusing = refusing;
  }

  // looking things up

  /** Every WebSocket the app opened, oldest first. */
  get connections(): readonly ConnectionRecord[] {
    return this.records;
  }

  get openConnections(): number {
    return this.open.length;
  }

  /** Every acknowledgement received, in order (late ones included). */
  get acks(): readonly EnvelopeAck[] {
    return this.ackLog;
  }

  /** Every message the server sent (hello, envelopes, disconnects), in order. */
  get messages(): readonly { connectionId: number; message: JsonObject }[] {
    return this.sent;
  }

  /** Waits (bounded) until the app has opened `count` connections in all and one is open. */
  async waitForConnection(count = this.records.length + 1, withinMs = 20_000): Promise<ConnectionRecord> {
    const deadline = Date.now() + withinMs;
    while (!(this.records.length >= count && this.open.length > 0)) {
      if (Date.now() > deadline) {
        throw new Error(`the app did not open Socket Mode connection #${count} within ${withinMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.open.at(-1)!.record;
  }

  /** Ends every connection and stops accepting new ones. */
  async close(): Promise<void> {
    this.refusing = true;
    for (const connection of [...this.open]) {
      connection.record.closedBy ??= 'server';
      connection.socket.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Which envelope type carries a request Slack would otherwise POST. */
export function envelopeTypeOf(payload: JsonObject): EnvelopeType {
  if (payload.type === 'event_callback') return 'events_api';
  if (typeof payload.command === 'string') return 'slash_commands';
  if (typeof payload.type === 'string') return 'interactive';
  throw new Error('not a request Slack delivers over Socket Mode (a url_verification never is)');
}

/** Slash commands, view submissions and options requests may be answered in the acknowledgement. */
function acceptsResponsePayload(type: EnvelopeType, payload: JsonObject): boolean {
  if (type === 'slash_commands') return true;
  return type === 'interactive' && (payload.type === 'view_submission' || payload.type === 'block_suggestion');
}

function describe(payload: JsonObject): string {
  if (typeof payload.command === 'string') return `${payload.command} ${String(payload.text ?? '')}`.trim();
  return String(payload.type ?? 'the envelope');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
