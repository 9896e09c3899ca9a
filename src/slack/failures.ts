import { randomBytes } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import { ErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { UserFacingError } from '../services/errors';

/** Postgres and pg connection failures: the database is unreachable, not the request wrong. */
const DATABASE_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03', '08006', '08001']);

/** Turns any failure into what the user should read; unexpected ones are logged with a reference. */
export function describeFailure(error: unknown, logger: Logger): string {
  if (error instanceof UserFacingError) return error.message;
  const code = (error as { code?: string } | null)?.code;
  if (code === ErrorCode.RateLimitedError) {
    const retryAfter = (error as WebAPIRateLimitedError).retryAfter;
    return `Slack is rate-limiting Debrief right now, so nothing was changed. Try again in ${retryAfter} seconds.`;
  }
  if (code === ErrorCode.PlatformError) {
    const slackError = (error as WebAPIPlatformError).data.error;
    return `Slack refused the request (\`${slackError}\`), so nothing was changed. ${slackErrorAdvice(slackError)}`;
  }
  if (code === ErrorCode.RequestError || code === ErrorCode.HTTPError) {
    return 'Debrief could not reach Slack, so nothing was changed. Try again in a minute.';
  }
  if (code !== undefined && DATABASE_UNAVAILABLE.has(code)) {
    logger.error('database unavailable', error);
    return 'Debrief cannot reach its database right now, so nothing was saved. Try again in a minute.';
  }
  const reference = randomBytes(4).toString('hex');
  logger.error(`unexpected failure (ref ${reference})`, error);
  return `Something went wrong (ref ${reference}). Try again; if it keeps happening, give that reference to whoever runs Debrief.`;
}

/** Advice for the Slack errors people can act on. */
export function slackErrorAdvice(slackError: string): string {
  switch (slackError) {
    case 'not_in_channel':
    case 'channel_not_found':
      return 'Invite Debrief to the channel with `/invite @Debrief` and try again.';
    case 'restricted_action':
      return 'A workspace setting stops Debrief from doing this; ask a Slack admin.';
    case 'name_taken':
      return 'A channel with that name exists; try again and Debrief will pick the next free name.';
    case 'expired_trigger_id':
      return 'Slack took too long to answer; run the command again.';
    default:
      return 'Try again in a minute.';
  }
}
