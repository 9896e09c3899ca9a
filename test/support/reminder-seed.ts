import type { Db } from '../../src/db/connect';

/** When the seeded incidents were declared and resolved and their items created. */
export const SEEDED_AT = new Date('2026-11-20T12:00:00Z');

/**
 * A resolved incident numbered `number` with one open, high-priority item per owner, due on
 * `dueDate`: what a reminder sweep reads, without going through the use cases that make it.
 */
export async function seedItemsDue(
  db: Db,
  where: { workspaceId: number; number: number },
  owners: string[],
  dueDate: string,
): Promise<void> {
  const incident = await db
    .insertInto('incidents')
    .values({
      workspace_id: where.workspaceId,
      number: where.number,
      title: `Checkout ${where.number}`,
      severity: 'sev2',
      peak_severity: 'sev2',
      status: 'resolved',
      declared_by: 'UADMIN',
      declared_at: SEEDED_AT,
      closed_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('action_items')
    .values(
      owners.map((owner, i) => ({
        incident_id: incident.id,
        number: i + 1,
        text: `Follow-up for ${owner}`,
        owner_id: owner,
        due_date: dueDate,
        priority: 'high' as const,
        type: 'prevent' as const,
        status: 'open' as const,
        created_by: 'UADMIN',
        created_at: SEEDED_AT,
      })),
    )
    .execute();
}
