import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start`, the Docker image and `npm run bench` (which reads `npm start`) run the app with the same
 * Node flags, so that what the benchmark reports is what a deployment sees.
 */
const root = join(__dirname, '..', '..');

function startScript(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/);
}

function dockerCmd(): string[] {
  const line = readFileSync(join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CMD '));
  if (!line) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice('CMD '.length)) as string[];
}

describe('how production starts the app', () => {
  test('the Docker image runs exactly what `npm start` runs', () => {
    expect(dockerCmd()).toEqual(startScript());
  });
});
