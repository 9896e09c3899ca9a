import { randomBytes } from 'node:crypto';
import type { Logger } from '@slack/bolt';
import { ErrorCode, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { noteFailure } from '../observability/request-scope';
import { databaseUnavailableMessage, UserFacingError } from '../services/errors';

/** A user-facing error aimed at one modal field (`response_action: errors` shows it under that input). */
export function fieldOf(error: unknown): string | undefined {
  return error instanceof UserFacingError ? error.field : undefined;
}

/** Turns any failure into what the user should read; unexpected ones are logged with a reference. */
export function describeFailure(error: unknown, logger: Logger): string {
  // The request's outcome for its metrics: the person's own mistake, or anything else.
  noteFailure(error instanceof UserFacingError ? 'user_error' : 'failed');
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
  const unavailable = databaseUnavailableMessage(error);
  if (unavailable) {
    logger.error(`database unavailable: ${failureSummary(error)}`);
    return unavailable;
  }
  const reference = randomBytes(4).toString('hex');
  logger.error(`unexpected failure (ref ${reference}): ${failureSummary(error)}`);
  return `Something went wrong (ref ${reference}). Try again; if it keeps happening, give that reference to whoever runs Debrief.`;
}

/**
 * What a failure is, for logs: its class, code and the code's location — never its message's
 * payload or a driver's statement parameters, which carry people's words (SPEC 8).
 */
export function failureSummary(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  const where =
    error.stack
      ?.split('\n')
      .find((line) => line.trim().startsWith('at '))
      ?.trim() ?? '';
  // A database error's message can quote the value it rejected (`invalid input syntax …: "…"`):
  // for those the SQLSTATE says enough. Slack's and Node's messages name methods and codes.
  const fromDatabase = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
  const message = fromDatabase ? '' : (error.message.split('\n')[0]?.slice(0, 200) ?? '');
  return [error.name, code === undefined ? undefined : `code=${String(code)}`, message, where]
    .filter(Boolean)
    .join(' ');
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
