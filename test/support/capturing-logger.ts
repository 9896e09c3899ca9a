import { format } from 'node:util';
import { type Logger, LogLevel } from '@slack/logger';

/**
 * A logger that keeps every line it is given, at every level, rendered as a console logger would
 * (util.format: an Error prints its stack and its own properties, such as a driver's parameters).
 * Tests assert what never reaches the logs.
 */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
  private level: LogLevel = LogLevel.DEBUG;
  private name = '';

  debug(...msg: unknown[]): void {
    this.keep('DEBUG', msg);
  }
  info(...msg: unknown[]): void {
    this.keep('INFO', msg);
  }
  warn(...msg: unknown[]): void {
    this.keep('WARN', msg);
  }
  error(...msg: unknown[]): void {
    this.keep('ERROR', msg);
  }
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  getLevel(): LogLevel {
    return this.level;
  }
  setName(name: string): void {
    this.name = name;
  }

  /** Lines that contain `needle`. */
  containing(needle: string | RegExp): string[] {
    return this.lines.filter((line) => (typeof needle === 'string' ? line.includes(needle) : needle.test(line)));
  }

  private keep(level: string, msg: unknown[]): void {
    this.lines.push(`[${level}] ${this.name} ${format(...msg)}`);
  }
}
