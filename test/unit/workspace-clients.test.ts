import { WorkspaceClients } from '../../src/slack/workspace-clients';

/** Clients hold plaintext tokens: they are cached per installation, bounded, and forgotten on change. */
describe('per-workspace Slack clients', () => {
  function storeCounting() {
    const fetched: string[] = [];
    const store = {
      fetchInstallation: async (query: { teamId?: string; enterpriseId?: string; isEnterpriseInstall: boolean }) => {
        const key = query.isEnterpriseInstall ? `E:${query.enterpriseId}` : `T:${query.teamId}`;
        fetched.push(key);
        return { bot: { token: `xoxb-${key}` } } as never;
      },
    };
    return { store, fetched };
  }
  const team = (teamId: string) => ({ teamId, enterpriseId: null, isEnterpriseInstall: false });

  test('each installation gets its own token; an org-wide install is asked for by its organisation', async () => {
    const { store, fetched } = storeCounting();
    const clients = new WorkspaceClients({ kind: 'installations', store }, 'https://slack.com/api/');
    expect((await clients.clientFor(team('TA'))).standard.token).toBe('xoxb-T:TA');
    const org = await clients.clientFor({ teamId: null, enterpriseId: 'E1', isEnterpriseInstall: true });
    expect(org.standard.token).toBe('xoxb-E:E1');
    await clients.clientFor(team('TA'));
    expect(fetched).toEqual(['T:TA', 'E:E1']);
  });

  test('a changed installation is read again after forget (a reinstall or a revoked token)', async () => {
    const { store, fetched } = storeCounting();
    const clients = new WorkspaceClients({ kind: 'installations', store }, 'https://slack.com/api/');
    await clients.clientFor(team('TA'));
    clients.forget(team('TA'));
    await clients.clientFor(team('TA'));
    expect(fetched).toEqual(['T:TA', 'T:TA']);
  });

  test('the cache is bounded: the least recently used workspace is dropped first', async () => {
    const { store, fetched } = storeCounting();
    const clients = new WorkspaceClients({ kind: 'installations', store }, 'https://slack.com/api/');
    for (let i = 0; i <= 500; i++) await clients.clientFor(team(`T${i}`));
    fetched.length = 0;
    await clients.clientFor(team('T500'));
    await clients.clientFor(team('T0'));
    expect(fetched).toEqual(['T:T0']);
  });
});
