/**
 * Compiles the app, the Slack stand-in and the bench processes to plain CommonJS, as
 * production runs compiled JavaScript (no TypeScript loader in the measured process). Transpile only,
 * file by file, with esbuild: a second or two, where tsc takes half a minute on this machine.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export const ROOT = path.resolve(__dirname, '..');
/**
 * Under node_modules/.cache: packages resolve from there as from the checkout, and no linter or
 * test runner looks inside (the per-run logs of the app processes are kept there too).
 */
export const BUILD_DIR = path.join(ROOT, 'node_modules', '.cache', 'debrief-bench');

export async function buildBench(): Promise<void> {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/**/*.ts', 'migrations/*.ts', 'test/kit/**/*.ts', 'test/support/quiet-logger.ts', 'bench/*.ts'],
    outdir: BUILD_DIR,
    outbase: ROOT,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    bundle: false,
    logLevel: 'warning',
  });
  // test/kit/scopes.ts reads the manifest two directories up from itself, as in the checkout.
  mkdirSync(BUILD_DIR, { recursive: true });
  copyFileSync(path.join(ROOT, 'manifest.yml'), path.join(BUILD_DIR, 'manifest.yml'));
}

/** A compiled bench entry point, e.g. `load` → <BUILD_DIR>/bench/load.js. */
export function compiled(name: string): string {
  return path.join(BUILD_DIR, 'bench', `${name}.js`);
}
