import type { DatabaseHandle } from '../../src/db/connect';
import { ensureWorkspace } from '../../src/db/workspaces';
import type { ActionContext } from '../../src/services/context';
import { EditConflictError, PermissionDeniedError, UserFacingError } from '../../src/services/errors';
import {
  addTimelineNoteInChannel,
  assignRole,
  declareIncident,
  type IncidentInChannel,
  incidentInChannel,
  recordMilestone,
  resolveIncident,
} from '../../src/services/incidents';
import {
  assignOwner,
  editSection,
  exportForOperator,
  nudgeUnacceptedOwners,
  postmortemReport,
  publishPostmortem,
  startPostmortemAfterResolve,
  WorkspaceChoiceError,
  waivePostmortem,
} from '../../src/services/postmortems';
import { databaseKinds, openTestDatabase } from '../support/database';
import { FakeSlackPort, TEST_WORKSPACE } from '../support/fake-slack-port';

/** The postmortem use cases against a real database, with the outbound port faked. */

const NOW = new Date('2026-11-20T10:00:00Z');
const at = (iso: string) => new Date(iso);
const person = (userId: string) => ({ userId, isGuest: false, isExternal: false, timeZone: null });

describe.each(databaseKinds())('postmortems on the %s database', (kind) => {
  let database: DatabaseHandle;
  let workspaceId: number;
  let slack: FakeSlackPort;
  let sequence = 0;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    workspaceId = await ensureWorkspace(database.db, { teamId: 'TPM' });
  });
  afterAll(async () => database.close());
  beforeEach(() => {
    slack = new FakeSlackPort();
    slack.users.set('UALICE', { name: 'alice' });
    slack.users.set('UBOB', { name: 'bob' });
    slack.users.set('UBOT', { isBot: true });
  });

  const as = (userId: string, now = NOW): ActionContext => ({
    db: database.db,
    slack,
    workspace: TEST_WORKSPACE,
    workspaceId,
    now,
    actor: person(userId),
  });

  /** A resolved sev2 incident commanded by alice, in its own channel of which alice and bob are members. */
  async function resolvedIncident(severity: 'sev2' | 'sev3' = 'sev2'): Promise<IncidentInChannel> {
    const channelId = `CPM${++sequence}`;
    slack.members.set(channelId, new Set(['UALICE', 'UBOB']));
    await declareIncident(as('UALICE', at('2026-11-19T23:50:00Z')), {
      title: `Checkout returns 500s ${sequence}`,
      severity,
      isPrivate: false,
      channelId,
      here: true,
    });
    let incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await assignRole(as('UALICE'), incident, 'commander', 'UALICE');
    incident = await incidentInChannel(as('UALICE'), channelId, { example: 'x' });
    await recordMilestone(as('UALICE'), incident, 'started', at('2026-11-19T23:40:00Z'));
    await recordMilestone(as('UALICE'), incident, 'detected', at('2026-11-19T23:48:00Z'));
    await addTimelineNoteInChannel(as('UBOB'), incident.row.channel_id!, {
      text: 'rolled back <@UALICE>’s deploy',
      occurredAt: at('2026-11-20T00:20:00Z'),
      example: '',
    });
    await recordMilestone(as('UALICE'), incident, 'mitigated', at('2026-11-20T00:25:00Z'));
    await resolveIncident(as('UALICE'), incident, { occurredAt: at('2026-11-20T00:40:00Z'), summary: 'rolled back' });
    return incidentInChannel(as('UALICE'), channelId, { example: 'x', includeClosed: true });
  }

  test('resolve creates the draft and asks the channel who owns it; the draft is generated, not written', async () => {
    const incident = await resolvedIncident();
    await startPostmortemAfterResolve(as('UALICE'), incident.row.id);
    expect(slack.calls).toContainEqual(
      expect.objectContaining({
        method: 'post',
        channelId: incident.row.channel_id,
        notice: expect.objectContaining({ kind: 'postmortem_owner_wanted', reason: 'required' }),
      }),
    );
    const report = await postmortemReport(as('UALICE'), incident);
    expect(report.document.sections.summary).toContain('Checkout returns 500s');
    expect(report.document.sections.resolution.mitigation).toBe('rolled back');
    const summaryCheck = report.completeness.checks.find((c) => c.key === 'summary');
    expect(summaryCheck?.status).toBe('draft_only');
    expect(report.completeness.complete).toBe(false);
  });

  test('assign sets one owner, DMs the checklist, records it; bots and other people are refused', async () => {
    const incident = await resolvedIncident();
    await expect(assignOwner(as('UALICE'), incident, { ownerId: 'UBOT', dueText: null })).rejects.toBeInstanceOf(
      UserFacingError,
    );
    await expect(assignOwner(as('UBOB'), incident, { ownerId: 'UBOB', dueText: null })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    const assigned = await assignOwner(as('UALICE'), incident, { ownerId: 'UBOB', dueText: '2026-12-01' });
    expect(assigned).toMatchObject({ ownerId: 'UBOB', dueDate: '2026-12-01' });
    expect(slack.calls).toContainEqual(
      expect.objectContaining({
        method: 'sendDirect',
        userId: 'UBOB',
        notice: expect.objectContaining({ kind: 'postmortem_checklist', dueDate: '2026-12-01' }),
      }),
    );
    const audit = await database.db
      .selectFrom('audit_log')
      .select('action')
      .where('incident_id', '=', incident.row.id)
      .where('action', '=', 'postmortem.assigned')
      .execute();
    expect(audit).toHaveLength(1);
  });

  test('two assignments at once: both are serialised and the last one stands, each audited', async () => {
    const incident = await resolvedIncident();
    await Promise.all([
      assignOwner(as('UALICE'), incident, { ownerId: 'UBOB', dueText: null }),
      assignOwner(as('UALICE'), incident, { ownerId: 'UALICE', dueText: null }),
    ]);
    const report = await postmortemReport(as('UALICE'), incident);
    expect(['UALICE', 'UBOB']).toContain(report.document.ownerId);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('detail')
      .where('incident_id', '=', incident.row.id)
      .where('action', '=', 'postmortem.assigned')
      .execute();
    expect(audit).toHaveLength(2);
  });

  test('a concurrent section edit is refused with the newer text, never silently lost', async () => {
    const incident = await resolvedIncident();
    const { version } = await postmortemReport(as('UALICE'), incident);
    await editSection(as('UALICE'), incident, {
      section: 'summary',
      value: 'A bad deploy broke checkout.',
      expectedVersion: version,
    });
    const stale = editSection(as('UBOB'), incident, {
      section: 'summary',
      value: 'Checkout broke.',
      expectedVersion: version,
    });
    await expect(stale).rejects.toBeInstanceOf(EditConflictError);
    await expect(stale).rejects.toThrow('A bad deploy broke checkout.');
    const report = await postmortemReport(as('UALICE'), incident);
    expect(report.document.sections.summary).toBe('A bad deploy broke checkout.');
    expect(report.document.authorship.summary).toBe('person');
  });

  test('publish refuses with what is missing, and only the owner or the commander may publish', async () => {
    const incident = await resolvedIncident('sev3');
    await expect(publishPostmortem(as('UALICE'), incident, null)).rejects.toThrow(
      /not complete yet\. Missing:\n• a postmortem owner/,
    );
    await assignOwner(as('UALICE'), incident, { ownerId: 'UBOB', dueText: null });
    let { version } = await postmortemReport(as('UBOB'), incident);
    const write = async (edit: Parameters<typeof editSection>[2]) => {
      await editSection(as('UBOB'), incident, edit);
      version = (await postmortemReport(as('UBOB'), incident)).version;
    };
    await write({ section: 'summary', value: 'A deploy broke checkout for 45 minutes.', expectedVersion: version });
    await write({
      section: 'impact',
      value: {
        affectedServices: ['checkout'],
        customerVisible: true,
        affected: { kind: 'percentage', value: 12, of: 'checkout requests' },
        notMeasurableReason: null,
        dataLoss: 'none',
        sloBudgetSpent: null,
        supportTickets: 3,
        statusPageUrl: null,
        narrative: null,
      },
      expectedVersion: version,
    });
    await write({
      section: 'detection',
      value: {
        detectedBy: { kind: 'alert', name: 'CheckoutErrorRate', url: null },
        howSooner: 'canary',
        narrative: null,
      },
      expectedVersion: version,
    });
    await write({
      section: 'contributingFactors',
      value: { factors: [{ text: 'a config change without a canary', isTrigger: true }], fiveWhys: null },
      expectedVersion: version,
    });
    await write({
      section: 'resolution',
      value: { mitigation: 'rolled back', permanentFix: null },
      expectedVersion: version,
    });
    await write({
      section: 'lessonsLearned',
      value: { wentWell: 'fast rollback', wentWrong: 'no canary', gotLucky: 'low traffic' },
      expectedVersion: version,
    });
    await write({
      section: 'actionItems',
      value: 'The canary item is tracked in the platform backlog.',
      expectedVersion: version,
    });
    await expect(publishPostmortem(as('UCAROL'), incident, 'CANNOUNCE')).rejects.toBeInstanceOf(PermissionDeniedError);
    await publishPostmortem(as('UBOB'), incident, 'CANNOUNCE');
    expect(slack.calls).toContainEqual(
      expect.objectContaining({
        method: 'post',
        channelId: 'CANNOUNCE',
        notice: expect.objectContaining({ kind: 'postmortem_published' }),
      }),
    );
    expect((await postmortemReport(as('UBOB'), incident)).document.status).toBe('published');
  });

  test('waive: the commander, sev3-4 by peak severity only', async () => {
    const sev2 = await resolvedIncident('sev2');
    await expect(waivePostmortem(as('UALICE'), sev2, 'vendor issue')).rejects.toThrow(/requires a postmortem/);
    const sev3 = await resolvedIncident('sev3');
    await expect(waivePostmortem(as('UBOB'), sev3, 'vendor issue')).rejects.toBeInstanceOf(PermissionDeniedError);
    await waivePostmortem(as('UALICE'), sev3, 'vendor issue');
    await expect(assignOwner(as('UALICE'), sev3, { ownerId: 'UBOB', dueText: null })).rejects.toThrow(
      /waived: vendor issue/,
    );
  });

  test('an owner who has not accepted gets one nudge after a business day, even with concurrent sweeps', async () => {
    const incident = await resolvedIncident();
    await assignOwner(as('UALICE', at('2026-11-20T10:00:00Z')), incident, { ownerId: 'UBOB', dueText: null });
    const sweep = (now: Date) => nudgeUnacceptedOwners({ db: database.db, slack, now });
    expect(await sweep(at('2026-11-20T18:00:00Z'))).toBe(0);
    // Friday 10:00 + 1 business day = Monday 10:00: not yet on Saturday.
    expect(await sweep(at('2026-11-21T12:00:00Z'))).toBe(0);
    await Promise.all([sweep(at('2026-11-23T10:30:00Z')), sweep(at('2026-11-23T10:30:00Z'))]);
    await sweep(at('2026-11-24T10:30:00Z'));
    // Earlier tests' owners are nudged too; this incident's owner exactly once.
    const nudges = slack.calls.filter(
      (c) =>
        c.method === 'sendDirect' &&
        c.notice.kind === 'postmortem_owner_nudge' &&
        c.notice.incidentId === incident.row.id,
    );
    expect(nudges).toHaveLength(1);
    expect(slack.calls).toContainEqual(
      expect.objectContaining({
        method: 'sendDirect',
        userId: 'UALICE',
        notice: expect.objectContaining({ kind: 'postmortem_owner_not_accepted' }),
      }),
    );
  });

  test('export from the command line: Markdown or JSON, and a clear answer when several workspaces exist', async () => {
    const incident = await resolvedIncident();
    const workspaces = await database.db.selectFrom('workspaces').select('team_id').execute();
    const teamId = workspaces.length === 1 ? null : 'TPM';
    const markdown = await exportForOperator(
      { db: database.db, slack, now: NOW },
      { incidentNumber: incident.row.number, teamId, format: 'markdown' },
    );
    expect(markdown.startsWith(`# Postmortem: ${incident.row.title}`)).toBe(true);
    expect(markdown).toContain('2026-11-20 00:20');
    expect(markdown).toContain('alice');
    expect(markdown).not.toMatch(/<@U|<!/);
    const json = JSON.parse(
      await exportForOperator(
        { db: database.db, slack, now: NOW },
        { incidentNumber: incident.row.number, teamId: 'TPM', format: 'json' },
      ),
    );
    expect(json.incident.number).toBe(incident.row.number);
    expect(json.timeline.map((e: { at: string }) => e.at)).toEqual(
      [...json.timeline.map((e: { at: string }) => e.at)].sort(),
    );
    await ensureWorkspace(database.db, { teamId: 'TOTHER' });
    await expect(
      exportForOperator(
        { db: database.db, slack, now: NOW },
        { incidentNumber: incident.row.number, teamId: null, format: 'markdown' },
      ),
    ).rejects.toBeInstanceOf(WorkspaceChoiceError);
  });
});
