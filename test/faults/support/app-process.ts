/**
 * Debrief as production runs it, for the fault tests: `debrief serve` (and `debrief export`,
 * `debrief remind`) in processes of their own, compiled to plain CommonJS with esbuild as bench/build.ts
 * does, so that `kill -9` hits the very process that holds the listener and the pool (a TypeScript
 * loader such as the tsx CLI would put a parent process in between).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

export const ROOT = path.resolve(__dirname, '../../..');
/** Under node_modules/.cache: packages resolve from there as from the checkout, and no linter or test runner looks inside. */
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'debrief-faults');

export interface CompiledApp {
  /** The compiled `src/cli.js`. */
  cli: string;
  /** Removes the compiled tree. */
  remove(): void;
}

/**
 * Compiles src/ and migrations/ (transpile only, a second or two) into a directory of this caller's
 * own: jest runs test files in parallel workers, and each removes its own tree when done.
 */
export async function compileApp(): Promise<CompiledApp> {
  const dir = path.join(CACHE, `${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  try {
    await build({
      absWorkingDir: ROOT,
      entryPoints: ['src/**/*.ts', 'migrations/*.ts'],
      outdir: dir,
      outbase: ROOT,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      bundle: false,
      logLevel: 'warning',
    });
    applyMutation(dir, process.env.DEBRIEF_FAULTS_MUTATE);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    cli: path.join(dir, 'src', 'cli.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Checking that a fault test can fail: DEBRIEF_FAULTS_MUTATE=`<compiled file>::<text>::<replacement>`
 * (e.g. `src/slack/app.js::processBeforeResponse: true::processBeforeResponse: false`) changes the
 * compiled copy only, never the checkout, and fails loudly when the text is not there.
 */
function applyMutation(dir: string, mutation: string | undefined): void {
  if (!mutation) return;
  const [file, text, replacement] = mutation.split('::');
  if (!file || !text || replacement === undefined) throw new Error(`DEBRIEF_FAULTS_MUTATE: cannot read "${mutation}"`);
  const target = path.join(dir, file);
  const source = readFileSync(target, 'utf8');
  if (!source.includes(text)) throw new Error(`DEBRIEF_FAULTS_MUTATE: "${text}" is not in ${file}`);
  writeFileSync(target, source.split(text).join(replacement));
}

/** The environment of an app process: nothing inherited but PATH and HOME, so a developer's DATABASE_URL never leaks in. */
export function appEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...settings,
  };
}

export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>`, the process's own listener. */
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far (JSON lines), for assertions and failure messages. */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;
  /** kill -9: no shutdown hook, no drain, the kernel closes its sockets. */
  crash(): Promise<void>;
  /** SIGTERM and wait (the graceful stop); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Logged at info: the app processes must run at LOG_LEVEL info or debug. */
const LISTENING = /Debrief is listening on [^ ]+:(\d+)/;

/** Every app process this test file started, so that afterAll can make sure none outlives it. */
const started = new Set<ChildProcess>();

/** SIGKILLs every app process this file started that still runs (by its own handle, nothing broader). */
export async function killStartedApps(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((resolve) => child.once('exit', resolve)));
      child.kill('SIGKILL');
    }
  }
  started.clear();
  await Promise.all(waits);
}

/** Starts `debrief serve` and waits until it listens (its log line names the port), or fails with its output. */
export async function startApp(
  app: CompiledApp,
  env: NodeJS.ProcessEnv,
  options: { name?: string; startTimeoutMs?: number } = {},
): Promise<AppProcess> {
  const name = options.name ?? 'debrief';
  const child = spawn(process.execPath, [app.cli, 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  const chunks: string[] = [];
  const output = () => chunks.join('');
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`${name} did not start listening within ${options.startTimeoutMs ?? 30_000} ms:\n${output()}`),
        ),
      options.startTimeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer) => {
      chunks.push(chunk.toString());
      const match = LISTENING.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it listened:\n${output()}`));
    });
  });
  return processHandle(name, child, port, output, exited);
}

function processHandle(
  name: string,
  child: ChildProcess,
  port: number,
  output: () => string,
  exited: Promise<number | string>,
): AppProcess {
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}`,
    output,
    alive,
    exited,
    async crash() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (alive()) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

const run = promisify(execFile);

/** Runs a one-off CLI command (`export`, `remind`) to its end; stdout, or a failure with stderr. */
export async function runCli(app: CompiledApp, env: NodeJS.ProcessEnv, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [app.cli, ...args], {
    cwd: ROOT,
    env,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The JSON lines of a process's output that parse, for looking at what it logged. */
export function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/**
 * Runs set-up steps at once, each assigning its own result as it arrives; the first failure is thrown
 * only once every step has settled, so that afterAll finds (and undoes) whatever did start.
 */
export async function settleAll(steps: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(steps)).find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}
