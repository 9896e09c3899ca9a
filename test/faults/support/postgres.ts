/**
 * Databases for the fault tests. The shared server of TEST_DATABASE_URL is never stopped (other test
 * files use it at the same time): tests that only need a database get one of their own on it, and the
 * test that stops PostgreSQL runs a private cluster (initdb, pg_ctl) in a temporary directory.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { type DatabaseHandle, openPostgres } from '../../../src/db/connect';
import { migrateToLatest } from '../../../src/db/migrate';

const run = promisify(execFile);

export interface ScratchDatabase {
  /** The connection string the app processes are given. */
  url: string;
  /** The test's own connection to it, migrated. */
  handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** `debrief_fault_<random>` on the shared server of TEST_DATABASE_URL, migrated; drop() removes it. */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set');
  const name = `debrief_fault_${randomBytes(5).toString('hex')}`;
  await adminQuery(server, `create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString());
  await migrateToLatest(handle.db);
  return {
    url: url.toString(),
    handle,
    async drop() {
      await handle.close();
      await adminQuery(server, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(connectionString: string, statement: string): Promise<void> {
  const admin = new Client({ connectionString });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** initdb and pg_ctl of the newest PostgreSQL installed under /usr/lib/postgresql, or undefined. */
function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest === undefined ? undefined : path.join(base, newest, 'bin');
}

/** initdb refuses to run as root: as root, the cluster's commands run as the `postgres` user. */
function asClusterOwner(): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

/** Why a private cluster cannot be made here, or undefined when it can. */
export async function privateClusterUnavailable(): Promise<string | undefined> {
  if (!postgresBin()) return 'no initdb under /usr/lib/postgresql';
  if (process.getuid?.() === 0) {
    try {
      await run('id', ['-u', 'postgres']);
    } catch {
      return 'running as root without a postgres user to run initdb as';
    }
  }
  return undefined;
}

export interface PrivateCluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** pg_ctl stop: `fast` disconnects sessions and shuts down cleanly, `immediate` is a crash. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if running) and removes its directory. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL cluster of the test's own, in a temporary directory, on a free port on 127.0.0.1
 * (its socket in that directory too), with trust authentication. Only this cluster is ever stopped.
 */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('no initdb under /usr/lib/postgresql');
  const dir = mkdtempSync(path.join(tmpdir(), 'debrief-fault-pg-'));
  const data = path.join(dir, 'data');
  const owner = asClusterOwner();
  if (owner.length > 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: string[]) => {
    const [file, ...rest] = [...owner, path.join(bin, command), ...args];
    return run(file!, rest, { cwd: dir, timeout: 60_000 });
  };
  await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -h 127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    await as('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await as('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  await start();
  let running = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop(mode) {
      await stop(mode);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async destroy() {
      try {
        if (running) await stop('immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
