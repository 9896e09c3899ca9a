import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { sql } from 'kysely';
import { Client } from 'pg';
import {
  type DatabaseErrorReport,
  type DatabaseHandle,
  DatabaseUnavailableError,
  DEFAULT_DATABASE_TIMEOUTS,
  isDatabaseUnavailable,
  openDatabase,
  openPostgres,
} from '../../src/db/connect';

/** A rejection's error; fails the test when the promise resolves instead. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

function expectUnavailable(error: unknown, code: string, outcomeUnknown = false): DatabaseUnavailableError {
  expect(error).toBeInstanceOf(DatabaseUnavailableError);
  const unavailable = error as DatabaseUnavailableError;
  expect(unavailable.name).toBe('DatabaseUnavailableError');
  expect(unavailable.code).toBe(code);
  expect(unavailable.outcomeUnknown).toBe(outcomeUnknown);
  expect(unavailable.message).toBe(
    outcomeUnknown ? DatabaseUnavailableError.MESSAGE_OUTCOME_UNKNOWN : DatabaseUnavailableError.MESSAGE,
  );
  expect(isDatabaseUnavailable(unavailable)).toBe(true);
  return unavailable;
}

/** Closes every handle a test opened, whatever happened in it. */
const opened: DatabaseHandle[] = [];
function track(handle: DatabaseHandle): DatabaseHandle {
  opened.push(handle);
  return handle;
}
afterEach(async () => {
  for (const handle of opened.splice(0)) await handle.close();
});

describe('isDatabaseUnavailable', () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

  it.each([
    ['statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['server shutting down', withCode('terminating connection due to administrator command', '57P01')],
    ['server starting up', withCode('the database system is starting up', '57P03')],
    ['idle in transaction', withCode('terminating connection due to idle-in-transaction timeout', '25P03')],
    ['connection exception class 08', withCode('connection failure', '08006')],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ['lost', new Error('Connection terminated unexpectedly')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['client connect timeout', new Error('Connection terminated due to connection timeout')],
    ['query read timeout', new Error('Query read timeout')],
    ['several addresses refused', new AggregateError([withCode('connect ECONNREFUSED ::1:1', 'ECONNREFUSED')], '')],
    ['a wrapped cause', new Error('outer', { cause: withCode('read ECONNRESET', 'ECONNRESET') })],
  ])('is true for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', withCode('syntax error at or near "selec"', '42601')],
    ['a deadlock (retry the transaction, not the database)', withCode('deadlock detected', '40P01')],
    ['a plain error', new Error('something else')],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('is false for %s', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('a database that cannot be reached', () => {
  it('a refused connection (port 1) is DatabaseUnavailableError, reported with its code only', async () => {
    const reports: DatabaseErrorReport[] = [];
    const handle = track(
      await openDatabase({
        databaseUrl: 'postgres://postgres:SECRETPASSWORD@127.0.0.1:1/test',
        dataDir: 'unused',
        onError: (report) => reports.push(report),
      }),
    );
    expect(handle.kind).toBe('postgres');
    const error = expectUnavailable(await rejection(sql`select ${'people words'}`.execute(handle.db)), 'ECONNREFUSED');
    expect(isDatabaseUnavailable(error.cause)).toBe(true);
    expect(await handle.ping()).toBe(false);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports[0]).toEqual({ kind: 'unavailable', code: 'ECONNREFUSED', message: expect.any(String) });
    const logged = JSON.stringify(reports);
    expect(logged).not.toContain('SECRETPASSWORD');
    expect(logged).not.toContain('people words');
  });

  it('a raw pg error from a refused connection is recognised too', async () => {
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/test' });
    const error = await rejection(client.connect());
    expect(isDatabaseUnavailable(error)).toBe(true);
    await client.end().catch(() => undefined);
  });

  it('a server that accepts and never answers times out connecting', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const handle = track(
        openPostgres(`postgres://postgres@127.0.0.1:${port}/test`, { timeouts: { connectMs: 200 } }),
      );
      expectUnavailable(await rejection(sql`select 1`.execute(handle.db)), 'CONNECT_TIMEOUT');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
const describePostgres = TEST_DATABASE_URL ? describe : describe.skip;

/**
 * A TCP proxy in front of the real Postgres that can stop passing bytes both ways, as a failover
 * without a TCP reset looks to the client: the connection stays open and nothing answers.
 */
class FreezableProxy {
  frozen = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => this.accept(client));

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const url = new URL(this.target);
    url.hostname = '127.0.0.1';
    url.port = String((this.server.address() as net.AddressInfo).port);
    return url.toString();
  }

  /** Cuts every connection, as a server restart does. */
  resetAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.resetAll();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(Number(this.target.port || 5432), this.target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk) => {
        if (!this.frozen) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }
}

describePostgres('statement and query timeouts against the real Postgres', () => {
  const table = `timeout_probe_${process.pid}_${randomBytes(4).toString('hex')}`;
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create table ${table} (id integer primary key, note text not null)`);
  });

  afterAll(async () => {
    await admin.query(`drop table if exists ${table}`);
    await admin.end();
  });

  beforeEach(async () => {
    await admin.query(`truncate ${table}`);
    await admin.query(`insert into ${table} (id, note) values (1, 'original')`);
  });

  /** Runs `body` while another connection holds row 1 locked in an open transaction. */
  async function withRowLocked(body: () => Promise<void>): Promise<void> {
    const holder = new Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select id from ${table} where id = 1 for update`);
      await body();
    } finally {
      await holder.query('rollback').catch(() => undefined);
      await holder.end();
    }
  }

  it('a statement blocked on a row lock longer than statement_timeout fails as DatabaseUnavailableError', async () => {
    const reports: DatabaseErrorReport[] = [];
    const handle = track(
      openPostgres(TEST_DATABASE_URL!, {
        timeouts: { statementMs: 300 },
        onError: (report) => reports.push(report),
      }),
    );
    await withRowLocked(async () => {
      const update = sql`update ${sql.table(table)} set note = ${'secret words'} where id = 1`.execute(handle.db);
      const error = expectUnavailable(await rejection(update), '57014');
      expect((error.cause as { code?: string }).code).toBe('57014');
    });
    expect(reports).toEqual([
      { kind: 'unavailable', code: '57014', message: expect.stringMatching(/statement timeout/) },
    ]);
    expect(JSON.stringify(reports)).not.toContain('secret words');
    // Nothing changed, and the same pool goes on working once the lock is gone.
    const { rows } = await sql<{ note: string }>`select note from ${sql.table(table)} where id = 1`.execute(handle.db);
    expect(rows).toEqual([{ note: 'original' }]);
    expect(await handle.ping()).toBe(true);
  });

  it('a transaction that times out is rolled back whole, and the error is the timeout', async () => {
    const handle = track(openPostgres(TEST_DATABASE_URL!, { timeouts: { statementMs: 300 } }));
    await withRowLocked(async () => {
      const work = handle.db.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(table)} (id, note) values (2, 'written first')`.execute(trx);
        await sql`update ${sql.table(table)} set note = 'blocked' where id = 1`.execute(trx);
      });
      expectUnavailable(await rejection(work), '57014');
    });
    const { rows } = await sql<{ id: number }>`select id from ${sql.table(table)} order by id`.execute(handle.db);
    expect(rows).toEqual([{ id: 1 }]);
  });

  describe('a server that stops answering without closing the connection', () => {
    let proxy: FreezableProxy;
    let handle: DatabaseHandle;

    beforeEach(async () => {
      proxy = new FreezableProxy(new URL(TEST_DATABASE_URL!));
      const url = await proxy.start();
      handle = track(openPostgres(url, { timeouts: { connectMs: 500, queryMs: 500 } }));
      expect(await handle.ping()).toBe(true);
    });

    afterEach(async () => {
      await handle.close();
      await proxy.close();
    });

    it('a read gives up with QUERY_TIMEOUT, then new connections with CONNECT_TIMEOUT; both certain nothing changed', async () => {
      const read = handle.db.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        proxy.frozen = true;
        await sql`select 2`.execute(connection);
      });
      expectUnavailable(await rejection(read), 'QUERY_TIMEOUT');
      expectUnavailable(await rejection(sql`select 3`.execute(handle.db)), 'CONNECT_TIMEOUT');
    });

    it('a write inside a transaction gives up, certain nothing was committed, with the first error kept', async () => {
      const work = handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        proxy.frozen = true;
        await sql`insert into ${sql.table(table)} (id, note) values (3, 'lost')`.execute(trx);
      });
      expectUnavailable(await rejection(work), 'QUERY_TIMEOUT', false);
    });

    it('a COMMIT whose answer is lost says the outcome is unknown', async () => {
      const work = handle.db.transaction().execute(async (trx) => {
        await sql`insert into ${sql.table(table)} (id, note) values (4, 'maybe')`.execute(trx);
        proxy.frozen = true;
      });
      expectUnavailable(await rejection(work), 'QUERY_TIMEOUT', true);
    });

    it('a write outside a transaction whose answer is lost says the outcome is unknown', async () => {
      const work = handle.db.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        proxy.frozen = true;
        await sql`insert into ${sql.table(table)} (id, note) values (5, 'maybe')`.execute(connection);
      });
      expectUnavailable(await rejection(work), 'QUERY_TIMEOUT', true);
    });

    it('recovers once the server answers again: the stalled connection is not reused', async () => {
      const stalled = handle.db.connection().execute(async (connection) => {
        await sql`select 1`.execute(connection);
        proxy.frozen = true;
        await sql`select 2`.execute(connection);
      });
      expectUnavailable(await rejection(stalled), 'QUERY_TIMEOUT');
      proxy.frozen = false;
      for (let i = 0; i < 3; i += 1) {
        const { rows } = await sql<{ n: number }>`select ${i}::int as n`.execute(handle.db);
        expect(rows).toEqual([{ n: i }]);
      }
    });
  });

  it("each statement has its own read deadline: a finished statement's deadline does not fail the next one", async () => {
    const handle = track(openPostgres(TEST_DATABASE_URL!, { timeouts: { queryMs: 400 } }));
    const reused = await handle.db.connection().execute(async (connection) => {
      await sql`select 1`.execute(connection);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // In flight from about 200 to 500 ms: past the first statement's deadline (400 ms), within its own (600).
      const { rows } = await sql<{ n: number }>`select 2::int as n from pg_sleep(0.3)`.execute(connection);
      return rows;
    });
    expect(reused).toEqual([{ n: 2 }]);
    // The connection was kept (not destroyed as broken) and answers again.
    expect(handle.poolStats!()).toMatchObject({ total: 1, idle: 1 });
    expect(await handle.ping()).toBe(true);
    // A statement slower than the deadline on a server that does answer still gives up at the deadline.
    const slow = sql`select pg_sleep(0.6)`.execute(handle.db);
    expectUnavailable(await rejection(slow), 'QUERY_TIMEOUT');
  });

  it('an unused pooled connection stays open for idleConnectionMs (minutes by default), then is closed', async () => {
    // pg closes idle connections after 10 s unless told otherwise; Debrief keeps them for the next burst.
    expect(DEFAULT_DATABASE_TIMEOUTS.idleConnectionMs).toBeGreaterThanOrEqual(60_000);
    const kept = track(openPostgres(TEST_DATABASE_URL!, { timeouts: { idleConnectionMs: 60_000 } }));
    const closed = track(openPostgres(TEST_DATABASE_URL!, { timeouts: { idleConnectionMs: 100 } }));
    expect(await kept.ping()).toBe(true);
    expect(await closed.ping()).toBe(true);
    expect(kept.poolStats!().total).toBe(1);
    expect(closed.poolStats!().total).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(kept.poolStats!()).toMatchObject({ total: 1, idle: 1 });
    expect(closed.poolStats!().total).toBe(0);
  });

  it('an idle pooled connection that the server drops is reported, and the next query reconnects', async () => {
    const proxy = new FreezableProxy(new URL(TEST_DATABASE_URL!));
    try {
      const url = await proxy.start();
      let reported!: (report: DatabaseErrorReport) => void;
      const firstReport = new Promise<DatabaseErrorReport>((resolve) => {
        reported = resolve;
      });
      const handle = track(openPostgres(url, { onError: (report) => reported(report) }));
      expect(await handle.ping()).toBe(true);
      proxy.resetAll();
      expect(await firstReport).toEqual({
        kind: 'idle-connection',
        code: undefined,
        message: expect.stringMatching(/Connection terminated/),
      });
      expect(await handle.ping()).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
