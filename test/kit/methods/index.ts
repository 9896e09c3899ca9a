/**
 * The Web API methods the stand-in implements: only those Debrief calls (src/ is the list). A feature
 * that calls a new method adds it here, in its family's file, with its scope and rate-limit tier.
 */

import type { MethodSpec } from './arguments';
import { AUTH_METHODS } from './auth';
import { CHAT_METHODS } from './chat';
import { CONVERSATIONS_METHODS } from './conversations';
import { FILES_METHODS } from './files';
import { REACTIONS_METHODS } from './reactions';
import { USERS_METHODS } from './users';
import { VIEWS_METHODS } from './views';

export type { MethodSpec, RateTier } from './arguments';

export const METHODS: Record<string, MethodSpec> = {
  ...AUTH_METHODS,
  ...USERS_METHODS,
  ...CONVERSATIONS_METHODS,
  ...CHAT_METHODS,
  ...REACTIONS_METHODS,
  ...VIEWS_METHODS,
  ...FILES_METHODS,
};
