import { ErrorCode, type WebAPIPlatformError } from '@slack/web-api';

/** Runs a Web API call, turning Slack's `ok:false` answers into values; other failures still throw. */
export async function slackCall<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; slackError: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if ((error as { code?: string }).code === ErrorCode.PlatformError) {
      return { ok: false, slackError: (error as WebAPIPlatformError).data.error };
    }
    throw error;
  }
}
