import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The layers of src/: domain (pure rules, "now" passed in) ← db ← services ← slack.
 * Imports are read with a regex, which is enough for the import styles this code base uses.
 */

const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return /\.tsx?$/.test(entry.name) ? [full] : [];
    })
    .sort();
}

interface Import {
  specifier: string;
  line: number;
}

const IMPORT_PATTERNS = [
  /\bfrom\s*['"]([^'"]+)['"]/g, // import … from 'x' (also multi-line), export … from 'x'
  /^\s*import\s*['"]([^'"]+)['"]/gm, // import 'x'
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // require('x')
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('x')
];

/** Reading the clock: Date.now(), new Date() or new Date with no arguments, Temporal.Now. */
const CLOCK = /\bDate\.now\s*\(|\bnew\s+Date\s*\(\s*\)|\bnew\s+Date\b(?!\s*\()|\bTemporal\.Now\b/;

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      found.push({ specifier: match[1]!, line: lineOf(text, match.index) });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Lines of code, without lines that are wholly comments (// …, /* …, * …). */
function codeLines(text: string): { line: number; code: string }[] {
  return text
    .split('\n')
    .map((code, i) => ({ line: i + 1, code }))
    .filter(({ code }) => !/^\s*(\/\/|\/\*|\*)/.test(code));
}

function relative(file: string): string {
  return path.relative(path.resolve(SRC, '..'), file);
}

/** True when the specifier, seen from file, points into one of the src/ directories named. */
function pointsInto(file: string, specifier: string, directories: string[]): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), specifier);
  return directories.some((d) => {
    const root = path.join(SRC, d);
    return target === root || target.startsWith(`${root}${path.sep}`);
  });
}

function isPackage(specifier: string, packages: string[]): boolean {
  return packages.some((p) =>
    p.endsWith('/*') ? specifier.startsWith(p.slice(0, -1)) : specifier === p || specifier.startsWith(`${p}/`),
  );
}

/** `file:line imports 'x'` for every import breaking the rule, so a failure names the offender. */
function violations(directory: string, rule: { srcDirectories?: string[]; packages?: string[] }): string[] {
  return sourceFiles(path.join(SRC, directory)).flatMap((file) =>
    importsOf(readFileSync(file, 'utf8'))
      .filter(
        ({ specifier }) =>
          pointsInto(file, specifier, rule.srcDirectories ?? []) || isPackage(specifier, rule.packages ?? []),
      )
      .map(({ specifier, line }) => `${relative(file)}:${line} imports '${specifier}'`),
  );
}

describe('the import reader', () => {
  test('finds every import form, with its line', () => {
    const text = [
      "import { a } from './a';",
      'import {',
      '  b,',
      "} from '../db/b';",
      "import type { C } from '@slack/bolt';",
      "import 'pg';",
      "const d = require('kysely');",
      "const e = await import('node-cron');",
      "export { f } from '../slack/f';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a', line: 1 },
      { specifier: '../db/b', line: 4 },
      { specifier: '@slack/bolt', line: 5 },
      { specifier: 'pg', line: 6 },
      { specifier: 'kysely', line: 7 },
      { specifier: 'node-cron', line: 8 },
      { specifier: '../slack/f', line: 9 },
    ]);
  });

  test('resolves relative imports against the importing file', () => {
    const file = path.join(SRC, 'domain', 'x.ts');
    expect(pointsInto(file, '../db/connect', ['db'])).toBe(true);
    expect(pointsInto(file, '../db', ['db'])).toBe(true);
    expect(pointsInto(file, './db-like', ['db'])).toBe(false);
    expect(pointsInto(file, '../dbx/y', ['db'])).toBe(false);
    expect(isPackage('@slack/web-api', ['@slack/*'])).toBe(true);
    expect(isPackage('pg', ['pg'])).toBe(true);
    expect(isPackage('pg-format', ['pg'])).toBe(false);
    expect(isPackage('@electric-sql/pglite', ['@electric-sql/*'])).toBe(true);
  });

  test('recognises reading the clock, not building a date from a value', () => {
    for (const code of [
      'const t = Date.now();',
      'at: new Date()',
      'new Date( )',
      'x = new Date;',
      'Temporal.Now.instant()',
    ]) {
      expect(CLOCK.test(code)).toBe(true);
    }
    for (const code of ['new Date(ms)', 'new Date(context.now.getTime())', 'const updatedAt: Date = now;']) {
      expect(CLOCK.test(code)).toBe(false);
    }
  });

  test('the layers exist and have imports to check', () => {
    for (const directory of ['domain', 'db', 'services']) {
      const files = sourceFiles(path.join(SRC, directory));
      expect(files.length).toBeGreaterThan(0);
      expect(files.some((f) => importsOf(readFileSync(f, 'utf8')).length > 0)).toBe(true);
    }
  });
});

describe('src/domain is pure', () => {
  const files = sourceFiles(path.join(SRC, 'domain'));

  test('imports nothing from db, slack or services', () => {
    expect(violations('domain', { srcDirectories: ['db', 'slack', 'services'] })).toEqual([]);
  });

  test('imports no Slack, database or scheduler package', () => {
    expect(violations('domain', { packages: ['@slack/*', 'kysely', 'pg', '@electric-sql/*', 'node-cron'] })).toEqual(
      [],
    );
  });

  test('does not read process.env', () => {
    const found = files.flatMap((file) =>
      codeLines(readFileSync(file, 'utf8'))
        .filter(({ code }) => /\bprocess\.env\b/.test(code))
        .map(({ line }) => `${relative(file)}:${line}`),
    );
    expect(found).toEqual([]);
  });

  test('does not read the clock: "now" is a parameter', () => {
    const found = files.flatMap((file) =>
      codeLines(readFileSync(file, 'utf8'))
        .filter(({ code }) => CLOCK.test(code))
        .map(({ line, code }) => `${relative(file)}:${line} ${code.trim()}`),
    );
    expect(found).toEqual([]);
  });
});

describe('lower layers do not reach up', () => {
  test('src/db does not import src/slack', () => {
    expect(violations('db', { srcDirectories: ['slack'] })).toEqual([]);
  });

  test('src/db does not import src/services', () => {
    expect(violations('db', { srcDirectories: ['services'] })).toEqual([]);
  });

  test('src/services does not import src/slack or @slack/*', () => {
    expect(violations('services', { srcDirectories: ['slack'], packages: ['@slack/*'] })).toEqual([]);
  });
});

describe('listeners go through use cases', () => {
  test('src/slack does not import src/db or a database package: it calls services', () => {
    expect(violations('slack', { srcDirectories: ['db'], packages: ['kysely', 'pg', '@electric-sql/*'] })).toEqual([]);
  });

  test('permission decisions live in domain/services: listeners do not import domain/permissions', () => {
    const decisions = sourceFiles(path.join(SRC, 'slack', 'listeners')).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter(({ specifier }) => /domain\/permissions$/.test(specifier))
        .map(({ line }) => `${relative(file)}:${line}`),
    );
    expect(decisions).toEqual([]);
  });
});

describe('the product ships without the test kit', () => {
  test('nothing in src/ imports from test/ or bench/', () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter(({ specifier }) => {
          if (!specifier.startsWith('.')) return false;
          const target = path.resolve(path.dirname(file), specifier);
          return !target.startsWith(`${SRC}${path.sep}`) && !target.startsWith(path.resolve(SRC, '../migrations'));
        })
        .map(({ specifier, line }) => `${relative(file)}:${line} imports '${specifier}'`),
    );
    expect(found).toEqual([]);
  });
});
