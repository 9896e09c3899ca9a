/**
 * jest globalSetup: a fresh directory where every app-facing Slack stand-in appends the scopes it saw
 * (workers inherit the environment variable), for the manifest check in jest-scopes-teardown.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SCOPES_SEEN_ENV } from './scopes';

export default function setUpScopeCheck(): void {
  process.env[SCOPES_SEEN_ENV] = mkdtempSync(path.join(tmpdir(), 'debrief-scopes-'));
}
