import { parsePostmortemCommand } from '../../src/domain/postmortem-command';

/** `/postmortem action|actions|done|cancel` through the `/postmortem` grammar (the item grammar has its own tests). */
describe('/postmortem action-item subcommands', () => {
  it('action: the item as parseActionCommand reads it, for the channel’s incident or a named one', () => {
    expect(parsePostmortemCommand('action Alert on 5xx <@U1|alex> due friday priority high')).toEqual({
      incidentNumber: null,
      command: {
        kind: 'action',
        item: { ok: true, text: 'Alert on 5xx', ownerId: 'U1', dueText: 'friday', priority: 'high' },
      },
    });
    expect(parsePostmortemCommand('#42 ACTION Fix it <@U2>')).toMatchObject({
      incidentNumber: 42,
      command: { kind: 'action', item: { text: 'Fix it', ownerId: 'U2' } },
    });
  });

  it('action refusals keep the item parser’s explanation and example', () => {
    const { command } = parsePostmortemCommand('action Fix it @nobody');
    expect(command.kind).toBe('invalid');
    if (command.kind === 'invalid') {
      expect(command.message).toMatch(/Slack did not recognise `@nobody`/);
      expect(command.message).toContain('/postmortem action');
    }
  });

  it('actions takes nothing, or the incident number last', () => {
    expect(parsePostmortemCommand('actions')).toEqual({ incidentNumber: null, command: { kind: 'actions' } });
    expect(parsePostmortemCommand('actions #7')).toEqual({ incidentNumber: 7, command: { kind: 'actions' } });
    expect(parsePostmortemCommand('items').command).toMatchObject({ kind: 'invalid' });
  });

  it('done and cancel take an item number; cancel needs a reason', () => {
    expect(parsePostmortemCommand('done 3')).toEqual({ incidentNumber: null, command: { kind: 'done', number: 3 } });
    expect(parsePostmortemCommand('#12 done #3')).toEqual({ incidentNumber: 12, command: { kind: 'done', number: 3 } });
    expect(parsePostmortemCommand('done three').command).toMatchObject({ kind: 'invalid' });
    expect(parsePostmortemCommand('cancel 3 covered by #2')).toEqual({
      incidentNumber: null,
      command: { kind: 'cancel', number: 3, reason: 'covered by #2' },
    });
    const noReason = parsePostmortemCommand('cancel 3').command;
    expect(noReason.kind === 'invalid' && noReason.message).toMatch(/Say why #3 will not be done/);
  });
});
