/**
 * jest globalTeardown: after a run of the whole suite, the scopes the stand-ins saw the code need
 * must be exactly manifest.yml's bot scopes — a scope nothing uses is removed from the manifest, and
 * a call whose scope is missing is a bug (SPEC section 2). A filtered run (a path or name pattern,
 * --onlyChanged) sees only part of the code, so it is not checked unless DEBRIEF_SCOPE_CHECK=always;
 * DEBRIEF_SCOPE_CHECK=off skips it.
 */
import { rmSync } from 'node:fs';
import type { Config } from '@jest/types';
import { compareScopes, MANIFEST_PATH, manifestBotScopes, readScopesSeen, SCOPES_SEEN_ENV } from './scopes';

export default function checkScopes(globalConfig: Config.GlobalConfig): void {
  const dir = process.env[SCOPES_SEEN_ENV];
  if (!dir) return;
  try {
    const mode = process.env.DEBRIEF_SCOPE_CHECK;
    if (mode === 'off' || (mode !== 'always' && isFiltered(globalConfig))) return;
    const { unused, undeclared } = compareScopes(readScopesSeen(dir), manifestBotScopes());
    const problems = [
      ...(unused.length > 0 ? [`declared in the manifest but used by no test: ${unused.join(', ')}`] : []),
      ...(undeclared.length > 0 ? [`used but not declared in the manifest: ${undeclared.join(', ')}`] : []),
    ];
    if (problems.length > 0) {
      throw new Error(`Bot scopes of ${MANIFEST_PATH} do not match what the code uses:\n  ${problems.join('\n  ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function isFiltered(config: Config.GlobalConfig): boolean {
  return (
    config.testPathPattern !== '' ||
    (config.testNamePattern ?? '') !== '' ||
    config.onlyChanged ||
    config.onlyFailures ||
    config.findRelatedTests ||
    config.lastCommit ||
    (config.changedSince !== undefined && config.changedSince !== '')
  );
}
