import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start`, the Docker image and `npm run bench` (which reads `npm start`) run the app with the same
 * environment settings and Node flags, so that what the benchmark reports is what a deployment sees.
 */
const root = join(__dirname, '..', '..');
const dockerfile = () => readFileSync(join(root, 'Dockerfile'), 'utf8').split('\n');

/** `npm start`: its leading NAME=value settings, then the command. */
function startScript(): { env: string[]; command: string[] } {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(/\s+/);
  const command = words.findIndex((word) => !/^[A-Z_]+=/.test(word));
  return { env: words.slice(0, command), command: words.slice(command) };
}

function dockerCmd(): string[] {
  const line = dockerfile().find((l) => l.startsWith('CMD '));
  if (!line) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice('CMD '.length)) as string[];
}

/** NAME=value settings of the Dockerfile's ENV lines. */
function dockerEnv(): string[] {
  return dockerfile()
    .filter((l) => l.startsWith('ENV '))
    .flatMap((l) => l.slice('ENV '.length).trim().split(/\s+/));
}

describe('how production starts the app', () => {
  test('the Docker image runs exactly what `npm start` runs', () => {
    expect(dockerCmd()).toEqual(startScript().command);
  });

  test('with the settings `npm start` gives it', () => {
    expect(startScript().env).toEqual(['MALLOC_ARENA_MAX=2']);
    expect(dockerEnv()).toEqual(expect.arrayContaining(startScript().env));
  });
});
