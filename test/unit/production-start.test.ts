import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { npmStart, productionStart } from '../../bench/production-start';

/**
 * `npm start`, the Docker image and `npm run bench` (which reads `npm start`) run the app with the same
 * environment settings and Node flags, so that what the benchmark reports is what a deployment sees.
 */
const root = join(__dirname, '..', '..');
const dockerfile = () => readFileSync(join(root, 'Dockerfile'), 'utf8').split('\n');

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
    expect(dockerCmd()).toEqual(npmStart().command);
  });

  test('with the settings `npm start` gives it', () => {
    expect(npmStart().settings).toEqual(['MALLOC_ARENA_MAX=2']);
    expect(dockerEnv()).toEqual(expect.arrayContaining(npmStart().settings));
  });

  test('and the bench starts the app process with them', () => {
    expect(productionStart()).toEqual({ env: { MALLOC_ARENA_MAX: '2' }, flags: ['--heap-growing-percent=25'] });
  });
});
