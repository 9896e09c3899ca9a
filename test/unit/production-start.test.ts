import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start`, the Docker image and `npm run bench` (which reads `npm start`) run the app with the same
 * Node flags, so that the memory the benchmark reports is the memory a deployment sees.
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

  test('with a smaller young generation than V8 picks by default (see README, Benchmark)', () => {
    expect(startScript()).toContain('--max-semi-space-size=8');
  });
});
