/**
 * OAuth scopes: what manifest.yml grants the bot, and which scopes the stand-in saw the code need.
 * Each stand-in that reports appends the scopes it saw to a file in DEBRIEF_SCOPES_SEEN_DIR (set by
 * jest's globalSetup), and the globalTeardown compares their union with the manifest's bot scopes.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const MANIFEST_PATH = path.resolve(__dirname, '../../manifest.yml');
export const SCOPES_SEEN_ENV = 'DEBRIEF_SCOPES_SEEN_DIR';

/** The bot scopes manifest.yml asks for: what an installation's bot token holds. */
export function manifestBotScopes(file = MANIFEST_PATH): string[] {
  const manifest = parse(readFileSync(file, 'utf8')) as { oauth_config?: { scopes?: { bot?: unknown } } } | null;
  const bot = manifest?.oauth_config?.scopes?.bot;
  return Array.isArray(bot) ? bot.map(String) : [];
}

/** The scopes one stand-in saw used, kept in memory and, when reporting, appended to a shared directory. */
export class ScopeLedger {
  private readonly seen = new Set<string>();

  constructor(private readonly reportDir?: string) {}

  note(scope: string): void {
    if (this.seen.has(scope)) return;
    this.seen.add(scope);
    // One file per process: jest workers append without sharing a file.
    if (this.reportDir) appendFileSync(path.join(this.reportDir, `scopes-${process.pid}.txt`), `${scope}\n`);
  }

  get used(): string[] {
    return [...this.seen].sort();
  }
}

/** The union of the scopes every reporting stand-in saw. */
export function readScopesSeen(dir: string): Set<string> {
  const seen = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.startsWith('scopes-'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) if (line !== '') seen.add(line);
  }
  return seen;
}

export interface ScopeDifference {
  /** In the manifest, never needed by a call or an event: remove it (or a test is missing). */
  unused: string[];
  /** Needed by a call or an event, not in the manifest: Slack would answer missing_scope. */
  undeclared: string[];
}

export function compareScopes(seen: Iterable<string>, declared: Iterable<string>): ScopeDifference {
  const seenSet = new Set(seen);
  const declaredSet = new Set(declared);
  return {
    unused: [...declaredSet].filter((scope) => !seenSet.has(scope)).sort(),
    undeclared: [...seenSet].filter((scope) => !declaredSet.has(scope)).sort(),
  };
}
