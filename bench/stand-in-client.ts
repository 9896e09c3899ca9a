/**
 * Starts the Slack stand-in in a process of its own (bench/stand-in-process.ts) and talks to it over
 * IPC. This module imports nothing of the test kit, so a measured process that uses it holds only
 * Debrief: Slack's work and memory are counted in the stand-in's process, as they would be at Slack.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { askChild } from './ipc';

export interface StandInOptions {
  teamId: string;
  botToken: string;
  /** Slack's per-method limits with Retry-After; off for the unthrottled delivery run. */
  rateLimits: boolean;
  /** The app's signing secret: the stand-in signs the requests it sends into the app with it. */
  signingSecret?: string;
}

export interface SeedPerson {
  id: string;
  name: string;
  tz: string;
  deleted?: boolean;
}

/** What reached the stand-in: successful posts, and the DM channels posted in more than once. */
export interface Reached {
  posts: number;
  channelsPostedTwice: number;
}

export interface CommandAnswer {
  status: number;
  text: string | undefined;
}

export type StandInRequest =
  | { type: 'start'; options: StandInOptions }
  | { type: 'users'; users: SeedPerson[] }
  | { type: 'channel'; id: string; name: string; members: string[] }
  | { type: 'join'; channelId: string; userIds: string[] }
  | { type: 'command'; appUrl: string; userId: string; channelId: string; text: string }
  | { type: 'reached' }
  | { type: 'stop' };

export interface RemoteStandIn {
  apiUrl: string;
  appId: string;
  verificationToken: string;
  ask<T = unknown>(request: StandInRequest): Promise<T>;
  stop(): Promise<void>;
}

export async function startStandInProcess(options: StandInOptions, people: SeedPerson[]): Promise<RemoteStandIn> {
  const child = fork(path.join(__dirname, 'stand-in-process.js'), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(request: StandInRequest) => askChild<T>(child, 'stand-in process', request);
  const started = await ask<{ apiUrl: string; appId: string; verificationToken: string }>({ type: 'start', options });
  await ask({ type: 'users', users: people });
  return {
    ...started,
    ask,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}
