import type {
  DeliveryOutcome,
  Notice,
  SlackMessage,
  SlackPort,
  SlackResult,
  SlackUser,
  WorkspaceAddress,
} from '../../src/services/slack-port';

export const TEST_WORKSPACE: WorkspaceAddress = { teamId: 'T1', enterpriseId: null, isEnterpriseInstall: false };

/** What a use case told Slack to do, in order. */
export type PortCall =
  | { method: 'createChannel'; workspace: WorkspaceAddress; name: string; isPrivate: boolean }
  | { method: 'inviteToChannel' | 'joinChannel'; workspace: WorkspaceAddress; channelId: string; userId?: string }
  | { method: 'post'; workspace: WorkspaceAddress; channelId: string; notice: Notice }
  | { method: 'sendDirect'; workspace: WorkspaceAddress; userId: string; notice: Notice }
  | { method: 'sendDirectOnce'; workspace: WorkspaceAddress; userId: string; notice: Notice }
  | { method: 'tellUser'; workspace: WorkspaceAddress; userId: string; channelId: string | null; notice: Notice }
  | { method: 'uploadFile'; workspace: WorkspaceAddress; channelId: string; filename: string; content: string };

/**
 * The outbound port as service tests need it: records what use cases send, answers lookups from
 * what the test set up, and can refuse a method with a Slack error.
 */
export class FakeSlackPort implements SlackPort {
  readonly calls: PortCall[] = [];
  readonly users = new Map<string, Partial<SlackUser>>();
  readonly messages = new Map<string, SlackMessage>();
  readonly pushpins = new Map<string, number>();
  readonly members = new Map<string, Set<string>>();
  readonly refuse = new Map<string, string>();
  /** Outcomes of sendDirectOnce per recipient, used up in order; then `sent`. */
  readonly onceOutcomes = new Map<string, DeliveryOutcome[]>();
  /** Users Slack does not know (`user_not_found`), and users whose lookup fails (Slack unreachable). */
  readonly unknownUsers = new Set<string>();
  readonly failingLookups = new Set<string>();
  private channelSequence = 0;

  async createChannel(workspace: WorkspaceAddress, channel: { name: string; isPrivate: boolean }) {
    this.calls.push({ method: 'createChannel', workspace, ...channel });
    const refused = this.refused('createChannel');
    if (refused) return refused;
    return { ok: true as const, value: { channelId: `CNEW${++this.channelSequence}` } };
  }

  async inviteToChannel(workspace: WorkspaceAddress, channelId: string, userId: string) {
    this.calls.push({ method: 'inviteToChannel', workspace, channelId, userId });
    return this.refused('inviteToChannel') ?? { ok: true as const, value: undefined };
  }

  async joinChannel(workspace: WorkspaceAddress, channelId: string) {
    this.calls.push({ method: 'joinChannel', workspace, channelId });
    return this.refused('joinChannel') ?? { ok: true as const, value: undefined };
  }

  async post(workspace: WorkspaceAddress, channelId: string, notice: Notice) {
    this.calls.push({ method: 'post', workspace, channelId, notice });
    return this.refused('post') ?? { ok: true as const, value: { ts: '1.000' } };
  }

  async sendDirect(workspace: WorkspaceAddress, userId: string, notice: Notice) {
    this.calls.push({ method: 'sendDirect', workspace, userId, notice });
    return this.refused('sendDirect') ?? { ok: true as const, value: { ts: '1.000' } };
  }

  async sendDirectOnce(workspace: WorkspaceAddress, userId: string, notice: Notice): Promise<DeliveryOutcome> {
    this.calls.push({ method: 'sendDirectOnce', workspace, userId, notice });
    return this.onceOutcomes.get(userId)?.shift() ?? { outcome: 'sent', ts: '1.000' };
  }

  async findUser(workspace: WorkspaceAddress, userId: string): Promise<SlackUser | undefined> {
    if (this.unknownUsers.has(userId)) return undefined;
    return this.lookupUser(workspace, userId);
  }

  async tellUser(workspace: WorkspaceAddress, target: { userId: string; channelId: string | null }, notice: Notice) {
    this.calls.push({ method: 'tellUser', workspace, ...target, notice });
  }

  async lookupUser(_workspace: WorkspaceAddress, userId: string): Promise<SlackUser> {
    if (this.failingLookups.has(userId)) throw new Error(`users.info failed for ${userId}`);
    const known = this.users.get(userId) ?? {};
    return {
      id: userId,
      name: null,
      timeZone: null,
      isGuest: false,
      isBot: false,
      deleted: false,
      teamId: null,
      enterpriseId: null,
      ...known,
    };
  }

  async isChannelMember(_workspace: WorkspaceAddress, channelId: string, userId: string) {
    return this.members.get(channelId)?.has(userId) ?? false;
  }

  async fetchMessage(_workspace: WorkspaceAddress, channelId: string, ts: string) {
    return this.messages.get(`${channelId}/${ts}`);
  }

  async uploadFile(
    workspace: WorkspaceAddress,
    channelId: string,
    file: { filename: string; title: string; content: string; comment: string },
  ) {
    this.calls.push({ method: 'uploadFile', workspace, channelId, filename: file.filename, content: file.content });
    return this.refused('uploadFile') ?? { ok: true as const, value: { fileId: 'F1' } };
  }

  async pushpinCount(_workspace: WorkspaceAddress, channelId: string, ts: string) {
    return this.pushpins.get(`${channelId}/${ts}`) ?? 0;
  }

  private refused(method: string): SlackResult<never> | undefined {
    const slackError = this.refuse.get(method);
    return slackError ? { ok: false, slackError } : undefined;
  }
}
