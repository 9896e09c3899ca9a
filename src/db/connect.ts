import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  Kysely,
  type PostgresCursor,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
  type RawBuilder,
  sql,
} from 'kysely';
import { Pool, type PoolClient, type QueryConfig, type QueryResult } from 'pg';
import lockfile from 'proper-lockfile';
import { PGliteDialect } from './pglite-dialect';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: 'postgres' | 'embedded';
  /** True when the database answers a trivial query (used by /healthz). */
  ping(): Promise<boolean>;
  /** The Postgres pool's connections (for /metrics); the embedded database has no pool. */
  poolStats?: () => { total: number; idle: number; waiting: number; max: number };
  close(): Promise<void>;
}

/** Raised when another process already holds the embedded database directory. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another Debrief process (for example a running server). ` +
        'Stop that process first, or set DATABASE_URL so that every process shares one Postgres server.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Time limits for the Postgres pool. Debrief's statements are indexed point reads and short writes
 * that take milliseconds; the limits are there for a stalled or failed-over server, so that a request
 * gives up within seconds (SPEC 8: "statements time out (a few seconds), the caller is told to retry")
 * instead of hanging for the minutes a dead TCP peer takes to be noticed.
 */
export interface DatabaseTimeouts {
  /** Opening a connection: a healthy server on the network answers in milliseconds. */
  connectMs: number;
  /**
   * Server-side `statement_timeout`: the server cancels the statement (SQLSTATE 57014) and the
   * transaction rolls back, so "nothing was changed" is certain. Also bounds waiting on a row lock.
   * Migrations that need longer must say so themselves (`set local statement_timeout = …`).
   */
  statementMs: number;
  /**
   * Client-side read deadline of each statement (GuardedClient.send, in place of pg's `query_timeout`):
   * for a server that does not answer at all (a failover without a TCP
   * reset). Longer than statementMs so that a server that is merely slow cancels first, cleanly.
   */
  queryMs: number;
  /** `idle_in_transaction_session_timeout`: a process that stalls mid-transaction frees its locks. */
  idleInTransactionMs: number;
  /** TCP keep-alive on pooled connections, so that an idle connection to a vanished server is noticed. */
  keepAliveInitialDelayMs: number;
  /**
   * How long a pooled connection may sit unused before it is closed. Every Postgres connection is a
   * server process: opening one costs a fork and re-preparing Debrief's statements, and closing
   * several stalls the server's other commits (measured on a 2-core VM: closing 9 at once held
   * concurrent single-row inserts back 75–107 ms). pg's default of 10 s closes what a burst opened
   * and opens it again at the next burst, so that every burst paid both; minutes keep them for the
   * next one and still give them back when the load has gone.
   */
  idleConnectionMs: number;
}

export const DEFAULT_DATABASE_TIMEOUTS: Readonly<DatabaseTimeouts> = Object.freeze({
  connectMs: 3_000,
  // Above Slack's 3 s answer deadline (work past ~2.5 s is answered "working on it" and finished
  // afterwards), far above any statement Debrief runs, and short enough that a retry soon helps.
  statementMs: 5_000,
  queryMs: 7_000,
  idleInTransactionMs: 10_000,
  keepAliveInitialDelayMs: 10_000,
  idleConnectionMs: 10 * 60_000,
});

/**
 * What the pool reports for logging: the error's code and message only, never statement parameters,
 * detail or the statement itself (people's words stay out of logs, SPEC 8).
 * - `idle-connection`: a pooled connection failed while unused (server restarted, network dropped);
 *   the pool discards it and the next query reconnects.
 * - `unavailable`: a statement or a connection attempt failed as DatabaseUnavailableError.
 */
export interface DatabaseErrorReport {
  kind: 'idle-connection' | 'unavailable';
  code: string | undefined;
  message: string;
}

export interface PostgresOptions {
  /** Told about pool errors and unavailability, for logging; see DatabaseErrorReport. */
  onError?: (report: DatabaseErrorReport) => void;
  /** Overrides of DEFAULT_DATABASE_TIMEOUTS (tests use short ones). */
  timeouts?: Partial<DatabaseTimeouts>;
}

export interface OpenDatabaseOptions extends PostgresOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
}

/**
 * The database did not answer in time or could not be reached: a statement timed out (57014), a
 * connection was refused, reset or lost, or the server shut down. The message is meant for the
 * person who ran the command; `code` says which (a SQLSTATE, an errno such as ECONNREFUSED, or
 * QUERY_TIMEOUT / CONNECT_TIMEOUT / CONNECTION_LOST for pg's own errors) and `cause` is the original.
 */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  static readonly MESSAGE = 'The database did not answer in time; nothing was changed. Try again in a minute.';
  /**
   * The connection went away while a write or a COMMIT was on its way: the server may have committed
   * it before the answer was lost, so "nothing was changed" would be a guess. The message says so.
   */
  static readonly MESSAGE_OUTCOME_UNKNOWN =
    'The database stopped answering while saving, so this may or may not have been saved. Check before trying again in a minute.';

  readonly code: string | undefined;
  readonly outcomeUnknown: boolean;

  constructor(options: { code: string | undefined; cause?: unknown; outcomeUnknown?: boolean }) {
    const outcomeUnknown = options.outcomeUnknown ?? false;
    super(
      outcomeUnknown ? DatabaseUnavailableError.MESSAGE_OUTCOME_UNKNOWN : DatabaseUnavailableError.MESSAGE,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = options.code;
    this.outcomeUnknown = outcomeUnknown;
  }
}

/** SQLSTATEs meaning "the server could not do it now", not "the request was wrong". */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout (or a cancel request)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
  '57P05', // idle_session_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
]);
/** SQLSTATE class 08: connection exceptions. */
const CONNECTION_EXCEPTION_CLASS = '08';
const UNAVAILABLE_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** pg and pg-pool signal these with plain Errors (no code); the name is what `code` reports. */
const PG_MESSAGES: Array<[RegExp, string]> = [
  [/^Query read timeout$/, 'QUERY_TIMEOUT'],
  [/^timeout exceeded when trying to connect$/, 'CONNECT_TIMEOUT'],
  [/^Connection terminated due to connection timeout$/, 'CONNECT_TIMEOUT'],
  [/^Connection terminated( unexpectedly)?$/, 'CONNECTION_LOST'],
  [/connection error and is not queryable/, 'CONNECTION_LOST'],
];
/** These may have lost the answer to a statement the server did run; the others certainly did nothing. */
const LOST_ANSWER_CODES = new Set(['QUERY_TIMEOUT', 'CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/**
 * The unavailability code of an error (SQLSTATE, errno or pg's own), or undefined when it is something
 * else. Duck-typed rather than `instanceof Error`: errors raised inside Node's own modules come from
 * another realm under jest's VM sandbox, and a cause may be any value.
 */
function unavailableCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 4) return undefined;
  if (error instanceof DatabaseUnavailableError) return error.code ?? 'UNAVAILABLE';
  const { code, message, errors, cause } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && code.startsWith(CONNECTION_EXCEPTION_CLASS)))
      return code;
    if (UNAVAILABLE_ERRNOS.has(code)) return code;
  }
  if (typeof message === 'string') {
    for (const [pattern, name] of PG_MESSAGES) if (pattern.test(message)) return name;
  }
  // Node reports a refused connection to a name with several addresses (localhost: ::1 and 127.0.0.1) as one AggregateError.
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = unavailableCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return unavailableCode(cause, depth + 1);
}

/**
 * True when an error means the database could not be reached or did not answer in time (as opposed
 * to a rejected statement such as a unique violation): a DatabaseUnavailableError, or a raw pg / Node
 * error of that kind. Callers map it to DatabaseUnavailableError's message and keep running.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableCode(error) !== undefined;
}

/** Rethrows unavailability as DatabaseUnavailableError; every other error passes through unchanged. */
function classify(error: unknown, outcomeUnknown: boolean): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  const code = unavailableCode(error);
  if (code === undefined) return error;
  return new DatabaseUnavailableError({
    code,
    cause: error,
    outcomeUnknown: outcomeUnknown && LOST_ANSWER_CODES.has(code),
  });
}

/** A report that carries the code and the first line of the message, nothing else. */
function report(kind: DatabaseErrorReport['kind'], error: unknown): DatabaseErrorReport {
  const unavailable = error instanceof DatabaseUnavailableError ? error : undefined;
  const source = unavailable?.cause ?? error;
  const code = unavailable?.code ?? (source as { code?: unknown } | undefined)?.code;
  const text = (source as { message?: unknown } | undefined)?.message;
  const message = typeof text === 'string' ? text : String(source);
  return {
    kind,
    code: typeof code === 'string' ? code : undefined,
    message: (message.split('\n')[0] ?? '').slice(0, 200),
  };
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  return options.databaseUrl
    ? openPostgres(options.databaseUrl, { onError: options.onError, timeouts: options.timeouts })
    : openEmbedded(options.dataDir);
}

export function openPostgres(connectionString: string, options: PostgresOptions = {}): DatabaseHandle {
  const timeouts = { ...DEFAULT_DATABASE_TIMEOUTS, ...options.timeouts };
  const onError = options.onError ?? (() => undefined);
  const pool = new Pool({
    connectionString,
    max: 10,
    application_name: 'debrief',
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // No `query_timeout`: GuardedClient keeps its own read deadline (timeouts.queryMs), see send().
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveInitialDelayMs,
    idleTimeoutMillis: timeouts.idleConnectionMs,
  });
  // An idle client losing its server must not crash the process: the pool drops it and the next
  // query reconnects. Reported (code and message) so that operators see the database going away.
  pool.on('error', (error) => onError(report('idle-connection', error)));
  const guarded = new GuardedPool(pool, timeouts.queryMs, (error) => onError(report('unavailable', error)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guarded }) });
  return {
    ...handle(db, 'postgres', async () => db.destroy()),
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    }),
  };
}

/**
 * The pool as Kysely sees it: errors meaning "unavailable" become DatabaseUnavailableError, and a
 * connection whose answer was lost (query read timeout, reset) is destroyed on release rather than
 * handed to the next request, which would otherwise wait behind a query the server never answers.
 */
class GuardedPool implements PostgresPool {
  private readonly clients = new WeakMap<PoolClient, GuardedClient>();

  constructor(
    private readonly pool: Pool,
    private readonly readTimeoutMs: number,
    private readonly onUnavailable: (error: DatabaseUnavailableError) => void,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      // Nothing was sent: whatever the caller meant to do did not happen.
      throw this.seen(classify(error, false));
    }
    let guarded = this.clients.get(client);
    if (guarded === undefined) {
      guarded = new GuardedClient(client, this.readTimeoutMs, (error) => this.seen(error));
      this.clients.set(client, guarded);
    }
    guarded.checkedOut = true;
    return guarded;
  }

  async end(): Promise<void> {
    await this.pool.end();
  }

  private seen(error: unknown): unknown {
    if (error instanceof DatabaseUnavailableError) this.onUnavailable(error);
    return error;
  }
}

/**
 * A statement that opens with `/* prepared: <name> *\/` (see `prepared`) is parsed and planned once
 * per connection and then only bound and executed: for hot statements whose text never changes.
 */
const PREPARED_MARK = /^\/\* prepared: ([a-z0-9-]+) \*\//;

/**
 * The opening of a statement to prepare once per connection under `name` (Postgres; the embedded
 * database runs it as it is). The text after it must be the same on every call: it is planned once.
 */
export function prepared(name: string): RawBuilder<unknown> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`prepared statement name ${name}: use a-z, 0-9 and -`);
  return sql.raw(`/* prepared: ${name} */`);
}

class GuardedClient implements PostgresPoolClient {
  private broken = false;
  private inTransaction = false;
  /** Between the pool's connect() and release(). */
  checkedOut = false;
  /** Fails the statement in flight; set only while one is. */
  private failInFlight: ((error: Error) => void) | undefined;
  /** One callback per connection: the timer of a statement holds nothing of the request that sent it. */
  private readonly onReadTimeout = () => this.failInFlight?.(new Error('Query read timeout'));

  constructor(
    private readonly client: PoolClient,
    private readonly readTimeoutMs: number,
    private readonly seen: (error: unknown) => unknown,
  ) {
    // pg-pool listens for a connection's errors only while it is idle. One that fails while checked
    // out but between statements (the server shutting down mid-transaction: 57P01) would otherwise be
    // an unhandled 'error' event, which ends the process. The next statement on it fails as lost.
    client.on('error', (error) => {
      if (!this.checkedOut) return;
      this.broken = true;
      this.seen(classify(error, false));
    });
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: ReadonlyArray<unknown> = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Kysely only passes a cursor when the dialect is given one, which Debrief's is not.
    if (typeof sqlOrCursor !== 'string') throw new Error('streaming queries are not configured');
    return this.run<R>(sqlOrCursor, parameters);
  }

  private async run<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
    const mark = PREPARED_MARK.exec(sql);
    const name = mark?.[1];
    const statement = sql
      .slice(mark?.[0].length ?? 0)
      .trimStart()
      .slice(0, 20)
      .toLowerCase();
    // A lost answer leaves the outcome unknown only where the server could have committed something:
    // a COMMIT, or a write outside a transaction. Inside a transaction nothing is committed yet.
    const mayCommit =
      /^(commit|end)\b/.test(statement) || (!this.inTransaction && !/^(select|begin|start|rollback)\b/.test(statement));
    const isRollback = /^rollback\b/.test(statement) && !/^rollback\s+to\b/.test(statement);
    if (/^(begin|start transaction)\b/.test(statement)) this.inTransaction = true;
    if (/^(commit|end)\b/.test(statement) || isRollback) this.inTransaction = false;
    if (this.broken) {
      // Kysely rolls back after a failed statement. On a lost connection that would wait another
      // query timeout and then replace the first error with its own; destroying the connection on
      // release rolls the transaction back on the server all the same.
      if (isRollback) return { command: 'SELECT', rowCount: 0, rows: [] };
      throw this.seen(new DatabaseUnavailableError({ code: 'CONNECTION_LOST' }));
    }
    try {
      const result = await this.send({ name, text: sql, values: parameters as unknown[] });
      return result as unknown as PostgresQueryResult<R>;
    } catch (error) {
      const classified = classify(error, mayCommit);
      // Only a statement timeout leaves the session usable; every other kind ended or lost it.
      if (classified instanceof DatabaseUnavailableError && classified.code !== '57014') this.broken = true;
      throw this.seen(classified);
    }
  }

  /**
   * pg's callback form with a read deadline of Debrief's own, rather than pg's promise form and its
   * `query_timeout`. Measured with Bolt answering /incident timeline with the note's statement at
   * 400/s (Node 22, `--trace-gc-nvp`): with either of pg's, every request's objects (its body, its
   * statement and results, the listener's frames) were kept alive into V8's old generation, 3.2 KB a
   * request, so that full collections came every few seconds; with this, 0.1 KB. Why pg's forms keep
   * them is not known (plain `pool.query` does not); which way it is measured is in the README.
   */
  private send(config: QueryConfig): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(this.onReadTimeout, this.readTimeoutMs);
      // Like pg's query_timeout: the statement fails now, a late answer is dropped, and the
      // connection is destroyed on release (run() marks it broken), never handed out again.
      const settle = (error: Error | undefined, result?: QueryResult) => {
        if (this.failInFlight !== settle) return;
        clearTimeout(timer);
        this.failInFlight = undefined;
        if (error) reject(error);
        else resolve(result as QueryResult);
      };
      this.failInFlight = settle;
      this.client.query(config, settle);
    });
  }

  release(): void {
    const broken = this.broken;
    this.checkedOut = false;
    this.broken = false;
    this.inTransaction = false;
    // release(true) makes the pool destroy the connection instead of reusing it.
    this.client.release(broken ? true : undefined);
  }
}

/**
 * Opens the embedded database under dataDir. PGlite does not lock its directory and two processes
 * on one directory corrupt it, so the directory is locked for as long as this process holds it.
 */
export async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  const directory = path.resolve(dataDir);
  const pgdata = path.join(directory, 'pgdata');
  mkdirSync(pgdata, { recursive: true });
  let unlock: () => Promise<void>;
  try {
    unlock = await lockfile.lock(pgdata, {
      lockfilePath: path.join(directory, 'debrief.lock'),
      // The lock is refreshed every `update` ms from a timer; one not refreshed for `stale` ms is
      // taken as left by a crashed process and taken over. Starting PGlite runs initdb synchronously
      // in WASM, blocking the event loop (and the refresh) for seconds on a loaded machine, so the
      // margin is wide: 30 s. The price: after a crash (kill -9) a new process waits up to 30 s.
      stale: 30_000,
      update: 5_000,
      realpath: false,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new DataDirLockedError(directory);
    throw error;
  }
  try {
    return embeddedHandle(await PGlite.create(pgdata), unlock);
  } catch (error) {
    await unlock();
    throw error;
  }
}

/*
 * The embedded database (PGlite) has no network and one in-process connection: there is no server to
 * stall or fail over, so the timeouts above do not apply to it; requests queue for that connection in
 * PGliteDialect, in order. A long statement there blocks the process's other requests until it ends.
 */

/** An in-memory embedded database, optionally started from a dump of a migrated one (tests, demo). */
export async function openInMemory(dump?: Blob): Promise<DatabaseHandle> {
  return embeddedHandle(await PGlite.create(dump ? { loadDataDir: dump } : {}));
}

function embeddedHandle(pglite: PGlite, afterClose?: () => Promise<void>): DatabaseHandle {
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return handle(db, 'embedded', async () => {
    await db.destroy();
    // Kysely only destroys a driver it has started, i.e. after a first query.
    if (!pglite.closed) await pglite.close();
    await afterClose?.();
  });
}

function handle(db: Db, kind: DatabaseHandle['kind'], close: () => Promise<void>): DatabaseHandle {
  let closed = false;
  return {
    db,
    kind,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
  };
}
