import type { LoggerService } from '@nestjs/common';
import { currentLogContext } from './context';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One JSON object per line on stdout, with the current correlation id. */
export class JsonLogger implements LoggerService {
  private readonly min: number;
  constructor(private readonly service: string, level: string = 'info', private readonly out: (line: string) => void = (l) => process.stdout.write(l + '\n')) {
    this.min = LEVELS[(level in LEVELS ? level : 'info') as LogLevel];
  }

  log(message: unknown, ...rest: unknown[]) { this.write('info', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }

  /** Structured entry: `logger.event('info', 'relay published', { count })`. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
    if (LEVELS[level] < this.min) return;
    this.out(JSON.stringify({ time: new Date().toISOString(), level, service: this.service, msg, ...currentLogContext(), ...fields }));
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]) {
    // Nest passes the context name last; an Error or stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (message instanceof Error) {
      fields.err = { message: message.message, stack: message.stack };
      message = message.message;
    }
    if (rest.length && typeof rest[0] === 'string' && level === 'error') fields.stack = rest[0];
    this.event(level, typeof message === 'string' ? message : JSON.stringify(message), fields);
  }
}
