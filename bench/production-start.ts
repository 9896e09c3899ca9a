/**
 * How production starts the app: `npm start` (the Dockerfile sets the same settings and its CMD runs
 * the same command, which test/unit/production-start.test.ts checks). The bench starts the app
 * process with these, so that what it reports is what a deployment sees.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** `npm start`'s words: its leading NAME=value settings, then the command. */
export function npmStart(): { settings: string[]; command: string[] } {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = scripts.start.split(/\s+/);
  const command = words.findIndex((word) => !/^[A-Z_]+=/.test(word));
  return { settings: words.slice(0, command), command: words.slice(command) };
}

/** The environment and the Node flags `npm start` runs the app with. */
export function productionStart(): { env: Record<string, string>; flags: string[] } {
  const { settings, command } = npmStart();
  return {
    env: Object.fromEntries(
      settings.map((setting) => setting.split('=')).map(([name, ...value]) => [name!, value.join('=')]),
    ),
    flags: command.filter((word) => word.startsWith('--')),
  };
}
