/**
 * What is known about the Slack request being handled, kept in AsyncLocalStorage so that code deep in
 * a request (a use case, a Web API call, work finished after the acknowledgement) logs with its request
 * id and workspace, and can say how the request went, without a logger or a metrics object passed down.
 *
 * Nothing here imports Slack, the database or prom-client: the request middleware opens a scope, the
 * logger reads its bindings, the middleware reads the notes when the request ends and counts them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The kinds of Slack request, as Bolt tells them apart. */
export const REQUEST_KINDS = ['command', 'event', 'action', 'view', 'shortcut', 'options'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** How a request ended: the failure kinds are noted by whoever answered the failure. */
export const REQUEST_OUTCOMES = ['ok', 'user_error', 'failed', 'deduplicated'] as const;
export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/** Where a redelivered event was recognised: before any work (middleware) or by the claim committed with the work. */
export type DuplicateStage = 'early' | 'claim';

/** Fields every log line of the request carries: ids only, never anything a person typed. */
export interface LogBindings {
  request_id?: string;
  /** The installation's key: the team, or the organisation for an org-wide Enterprise Grid install. */
  workspace?: string;
  team_id?: string;
  enterprise_id?: string;
  slack_kind?: RequestKind;
  event_id?: string;
  retry_num?: number;
  /** A scheduler job, for lines logged by a sweep. */
  job?: string;
}

export interface RequestScope {
  /** Filled in as the request is understood (the workspace once Bolt has authorized it). */
  readonly bindings: LogBindings;
  /** Debrief's middleware ran (Bolt found an installation and passed the request on). */
  reachedMiddleware?: boolean;
  /** The worst failure noted so far (failed outranks user_error); undefined means none. */
  failure?: 'user_error' | 'failed';
  duplicate?: DuplicateStage;
  /** A command answered "working on it" because its work outlived the acknowledgement deadline. */
  deferred?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** Runs `work` with `scope` as the current request (promises and timers it starts keep it). */
export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** Runs `work` with extra log bindings on top of the current ones (e.g. a scheduler job's name). */
export function withLogBindings<T>(bindings: LogBindings, work: () => T): T {
  const current = storage.getStore();
  return storage.run({ bindings: { ...current?.bindings, ...bindings } }, work);
}

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function currentBindings(): Readonly<LogBindings> | undefined {
  return storage.getStore()?.bindings;
}

/** A failure was answered: the person's own (user_error) or anything else (failed). */
export function noteFailure(kind: 'user_error' | 'failed'): void {
  const scope = storage.getStore();
  if (!scope) return;
  if (scope.failure !== 'failed') scope.failure = kind;
}

/** The request was a redelivery of work already done: nothing changed. */
export function noteDuplicate(stage: DuplicateStage): void {
  const scope = storage.getStore();
  if (scope && scope.duplicate === undefined) scope.duplicate = stage;
}

/** The answer went out as "working on it" and follows through response_url. */
export function noteDeferred(): void {
  const scope = storage.getStore();
  if (scope) scope.deferred = true;
}

/** The outcome label of a finished request. */
export function outcomeOf(scope: RequestScope, threw: boolean): RequestOutcome {
  if (threw) return 'failed';
  if (scope.duplicate !== undefined) return 'deduplicated';
  return scope.failure ?? 'ok';
}
