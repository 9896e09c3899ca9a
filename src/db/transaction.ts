import type { Db } from './connect';

/** A transaction, or the one already open: Kysely does not nest them, and use cases compose. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  return db.transaction().execute(work);
}
