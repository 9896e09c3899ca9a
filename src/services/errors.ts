import { DatabaseUnavailableError, isDatabaseUnavailable } from '../db/connect';

/** A failure the user caused and can fix; its message is shown to them as is. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';

  /** The modal input the message belongs under, when the request came from a modal. */
  readonly field: string | undefined;

  constructor(message: string, options: { field?: string } = {}) {
    super(message);
    this.field = options.field;
  }
}

export class NotInIncidentChannelError extends UserFacingError {
  override name = 'NotInIncidentChannelError';
  constructor(example: string) {
    super(
      `This channel has no incident. Run this in the incident's channel, or declare one with \`/incident start sev2 Checkout returns 500s\`. Example: \`${example}\``,
    );
  }
}

export class PermissionDeniedError extends UserFacingError {
  override name = 'PermissionDeniedError';
}

/** Someone else changed the thing first; the caller sees the newer version. */
export class EditConflictError extends UserFacingError {
  override name = 'EditConflictError';
}

/**
 * What to tell someone whose request met an unreachable or stalled database (nothing changed, or,
 * when a commit's answer was lost, that it may have), or undefined for any other failure.
 */
export function databaseUnavailableMessage(error: unknown): string | undefined {
  if (error instanceof DatabaseUnavailableError) return error.message;
  return isDatabaseUnavailable(error) ? DatabaseUnavailableError.MESSAGE : undefined;
}
