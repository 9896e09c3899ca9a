import type { ChildProcess } from 'node:child_process';

/**
 * Sends `message` to a bench child process and waits for its answer: the next message of the same
 * type (its `result`), or an `error` message, which rejects with the child's `name` and what it said.
 */
export function askChild<T>(child: ChildProcess, name: string, message: { type: string }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (answer: { type: string; result?: T; message?: string }) => {
      if (answer.type !== message.type && answer.type !== 'error') return;
      child.off('message', onMessage);
      if (answer.type === 'error') reject(new Error(`${name}: ${answer.message}`));
      else resolve(answer.result as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/**
 * Where the app process's memory sits now, MB: each V8 heap space as committed (new_space is the young
 * generation's semi-spaces), and outside V8's heap, the memory it knows of (`external`, of which
 * `arrayBuffers`); the rest of the resident set is code, stacks and native allocations.
 */
export interface HeapBreakdown {
  rssMb: number;
  spacesMb: Record<string, number>;
  externalMb: number;
  arrayBuffersMb: number;
}

/** V8's collections in the app process since the last ask (bench/app-process.ts countCollections). */
export interface Collections {
  /** Full (mark-compact) collections and their summed pauses. */
  full: number;
  fullPauseMs: number;
  scavenges: number;
  scavengePauseMs: number;
}
