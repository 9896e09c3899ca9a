import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { Client } from 'pg';
import { type DatabaseHandle, openInMemory, openPostgres } from '../../src/db/connect';
import { migrateToLatest } from '../../src/db/migrate';
import { PGliteDialect } from '../../src/db/pglite-dialect';

export type DatabaseKind = 'embedded' | 'postgres';

/** The embedded database always; the real Postgres too when TEST_DATABASE_URL is set (as in CI). */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['embedded', 'postgres'] : ['embedded'];
}

const MIGRATIONS = path.resolve(__dirname, '../../migrations');

/**
 * A migrated PGlite data directory, built once per set of migrations and reused by every test file:
 * starting PGlite and migrating costs seconds, loading a dump a fraction of that.
 */
async function embeddedTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  for (const file of readdirSync(MIGRATIONS).sort())
    hash.update(file).update(readFileSync(path.join(MIGRATIONS, file)));
  const file = path.join(tmpdir(), `debrief-pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (!existsSync(file)) {
    const pglite = await PGlite.create();
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('gzip');
    await db.destroy();
    // Written aside and renamed: parallel jest workers may race to build it.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  return new Blob([readFileSync(file)]);
}

/** A fresh, migrated database of the given kind, private to the caller; close() discards it. */
export async function openTestDatabase(kind: DatabaseKind): Promise<DatabaseHandle> {
  if (kind === 'embedded') return openInMemory(await embeddedTemplate());
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const name = `debrief_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString());
  await migrateToLatest(handle.db);
  return {
    ...handle,
    async close() {
      await handle.close();
      const cleanup = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
