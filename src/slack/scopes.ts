/**
 * The bot scopes Debrief asks for when a workspace installs it through OAuth: exactly those in
 * manifest.yml (test/unit/manifest.test.ts keeps the two the same).
 */
export const BOT_SCOPES: readonly string[] = [
  'commands',
  'chat:write',
  'channels:manage',
  'groups:write',
  'channels:read',
  'groups:read',
  'channels:history',
  'groups:history',
  'channels:join',
  'reactions:read',
  'users:read',
  'files:write',
  'im:write',
];
