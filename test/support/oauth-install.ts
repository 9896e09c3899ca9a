import type { SimulatedWorkspace } from '../kit/simulated-workspace';
import type { OAuthCodeRequest } from '../kit/slack-stand-in';

const STATE_COOKIE = 'slack-app-oauth-state';

/**
 * Installs Debrief through OAuth as a person would: /slack/install sets the state cookie and sends the
 * browser to Slack's authorize page; Slack (the stand-in) issues a code for what was approved; the
 * browser comes back to /slack/oauth_redirect. Returns the bot token oauth.v2.access handed out.
 * `request.enterprise` makes it an org-wide (Enterprise Grid) install. `w` may be any app and stand-in
 * pair, e.g. one of several stand-ins behind a tenant router.
 */
export async function installThroughOAuth(
  w: Pick<SimulatedWorkspace, 'slack'> & { debrief: { url: string } },
  request: Omit<OAuthCodeRequest, 'scopes'>,
): Promise<string> {
  const page = await fetch(`${w.debrief.url}/slack/install`, { redirect: 'manual' });
  if (page.status !== 302) throw new Error(`/slack/install answered ${page.status}`);
  const authorize = new URL(page.headers.get('location') ?? '');
  const state = authorize.searchParams.get('state') ?? '';
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie.startsWith(`${STATE_COOKIE}=`)) throw new Error('no state cookie was set');
  const code = w.slack.issueOAuthCode({ ...request, scopes: (authorize.searchParams.get('scope') ?? '').split(',') });
  const redirect = await fetch(`${w.debrief.url}/slack/oauth_redirect?${new URLSearchParams({ code, state })}`, {
    redirect: 'manual',
    headers: { cookie },
  });
  if (redirect.status !== 200) throw new Error(`/slack/oauth_redirect answered ${redirect.status}`);
  const exchange = w.slack.lastCall('oauth.v2.access');
  if (!exchange || exchange.args.code !== code || exchange.response.ok !== true) {
    throw new Error('oauth.v2.access did not hand out a token for this install');
  }
  return String(exchange.response.access_token);
}
