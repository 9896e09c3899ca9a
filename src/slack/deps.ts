import type { Logger } from '@slack/bolt';
import type { DebriefMetrics } from '../observability/metrics';
import type { Scope, WorkspaceDirectory } from '../services/context';
import type { SlackPort } from '../services/slack-port';
import type { BackgroundWork } from './background';

/** What every listener needs; built once in the composition root. */
export interface SlackDeps {
  db: Scope['db'];
  /** The outbound port: listeners and use cases tell people things through it. */
  slack: SlackPort;
  workspaces: WorkspaceDirectory;
  background: BackgroundWork;
  logger: Logger;
  clock: () => Date;
  /** POSTMORTEM_CHANNEL: where published postmortems are announced (none when unset). */
  postmortemChannel: string | null;
  /** Request, acknowledgement and de-duplication metrics (absent in tests that do not read them). */
  metrics?: DebriefMetrics;
}
