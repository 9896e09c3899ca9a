/** Names of incident channels: `inc-<yyyymmdd UTC>-<slug>[-<attempt>]`, valid Slack channel names. */

/** Slack refuses channel names longer than this. */
export const MAX_CHANNEL_NAME_LENGTH = 80;

/** Lower-cases a title and collapses everything but ASCII letters and digits to single hyphens. */
function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The title as a channel-name slug, or the incident number when nothing of the title survives. */
export function incidentChannelSlug(title: string, incidentNumber: number): string {
  return slugify(title) || slugify(String(incidentNumber)) || 'incident';
}

/** The channel name to try on the given attempt (1 = first; 2, 3 … when the name is taken). */
export function incidentChannelName(title: string, incidentNumber: number, declaredAt: Date, attempt: number): string {
  const prefix = `inc-${utcDateDigits(declaredAt)}-`;
  const suffix = attempt >= 2 ? `-${Math.floor(attempt)}` : '';
  const room = MAX_CHANNEL_NAME_LENGTH - prefix.length - suffix.length;
  const slug = incidentChannelSlug(title, incidentNumber).slice(0, room).replace(/-+$/, '');
  return `${prefix}${slug}${suffix}`;
}

function utcDateDigits(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('incidentChannelName needs a valid declaredAt date');
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}
