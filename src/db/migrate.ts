import { readdirSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely';

/** migrations/ sits beside src/ in the checkout and beside dist/src/ in a build. */
const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

class DirectoryMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
      if (!/\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
      // require keeps this working both compiled and under ts-jest
      migrations[file.replace(/\.(ts|js)$/, '')] = require(path.join(MIGRATIONS_DIR, file)) as Migration;
    }
    return migrations;
  }
}

export class MigrationError extends Error {
  constructor(
    cause: unknown,
    readonly results: MigrationResultSet['results'],
  ) {
    super(`Database migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration; returns the names applied. Throws MigrationError on failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new DirectoryMigrationProvider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new MigrationError(error, results);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
