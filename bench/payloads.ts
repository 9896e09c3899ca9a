/**
 * The requests the load generator sends, in Slack's own shapes (the same fields as
 * test/kit/slack-requests.ts builds), signed as Slack signs them. Kept free of the stand-in: the load
 * generator runs in its own process and only knows what the app process told it (team, app, channel).
 */
import { createHmac, randomUUID } from 'node:crypto';

/** What the app process reports once it is up: where to send and the names Slack would use. */
export interface Target {
  url: string;
  signingSecret: string;
  teamId: string;
  appId: string;
  verificationToken: string;
  botUserId: string;
  /** The incident channel (a dedicated one, created by `/incident start`). */
  channelId: string;
  channelName: string;
  /** People who are members of the channel. */
  userIds: string[];
}

export interface Signed {
  headers: Record<string, string>;
  body: string;
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` keyed by the signing secret. */
export function sign(secret: string, body: string, contentType: string, extra: Record<string, string> = {}): Signed {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const digest = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${digest}`,
      ...extra,
    },
  };
}

/**
 * A message ts unique within a run: `run` picks a block of seconds far from every other run's, `n`
 * counts within it (Slack's ts is seconds with a 6-digit sequence suffix).
 */
export function messageTs(run: number, n: number): string {
  const seconds = 1_700_000_000 + run * 100_000 + Math.floor(n / 1_000_000);
  return `${seconds}.${String(n % 1_000_000).padStart(6, '0')}`;
}

const WORDS = ['checkout', 'latency', 'replica', 'rollback', 'deploy', 'error', 'rate', 'cache', 'primary', 'p99'];

/** A person's message in the incident channel as an Events API callback (JSON). */
export function messageEventBody(
  target: Target,
  run: number,
  n: number,
): { eventId: string; ts: string; body: string } {
  const ts = messageTs(run, n);
  const eventId = `Ev${run.toString(36).toUpperCase()}X${n.toString(36).toUpperCase()}`;
  const user = target.userIds[n % target.userIds.length]!;
  const text = `${WORDS[n % WORDS.length]} ${WORDS[(n * 7) % WORDS.length]} update ${n}: seeing it again on the ${WORDS[(n * 3) % WORDS.length]} path`;
  const blocks = [
    {
      type: 'rich_text',
      block_id: n.toString(36).slice(-4).padStart(4, 'x'),
      elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
    },
  ];
  const event = {
    client_msg_id: randomUUID(),
    type: 'message',
    text,
    user,
    ts,
    blocks,
    team: target.teamId,
    channel: target.channelId,
    event_ts: ts,
    channel_type: 'channel',
  };
  const context = { et: 'message', tid: target.teamId, aid: target.appId, cid: target.channelId };
  const payload = {
    token: target.verificationToken,
    team_id: target.teamId,
    api_app_id: target.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: target.teamId,
        user_id: target.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify(context)).toString('base64url')}`,
  };
  return { eventId, ts, body: JSON.stringify(payload) };
}

/** `/incident timeline <when> <text>` as Slack posts it: form-encoded, fields in Slack's order. */
export function timelineCommandBody(target: Target, baseUrl: string, n: number): string {
  const user = target.userIds[n % target.userIds.length]!;
  const minute = String(n % 60).padStart(2, '0');
  const fields: Record<string, string> = {
    token: target.verificationToken,
    team_id: target.teamId,
    team_domain: 'debrief-demo',
    channel_id: target.channelId,
    channel_name: target.channelName,
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/incident',
    text: `timeline 09:${minute} ${WORDS[n % WORDS.length]} graph moved again (${n})`,
    api_app_id: target.appId,
    is_enterprise_install: 'false',
    response_url: `${baseUrl}response/${n.toString(36)}`,
    trigger_id: `${n}.${Date.now()}.bench`,
  };
  return new URLSearchParams(fields).toString();
}
