import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from './context';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * One JSON object per line on stdout (pino), with the current correlation id.
 * `npm start` turns the lines into readable ones in a terminal; the apps always
 * write JSON. A level below the threshold costs one comparison.
 */
export class JsonLogger implements LoggerService {
  private readonly min: number;
  private readonly pino: Logger;

  /** `out` receives each line without its newline (tests); by default lines go to stdout. */
  constructor(service: string, level: string = 'info', out?: (line: string) => void) {
    const name = (level in LEVELS ? level : 'info') as LogLevel;
    this.min = LEVELS[name];
    const destination: DestinationStream = out ? { write: (line: string) => out(line.slice(0, -1)) } : pino.destination({ fd: 1, sync: true });
    this.pino = pino(
      {
        level: name,
        base: { service },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        // Fields given to the line win over the context, as before.
        mixin: () => currentLogContext(),
      },
      destination,
    );
  }

  log(message: unknown, ...rest: unknown[]) { this.write('info', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }

  /** Structured entry: `logger.event('info', 'relay published', { count })`. */
  event(level: LogLevel, msg: string, fields: Record<string, unknown> = {}) {
    if (LEVELS[level] < this.min) return;
    this.pino[level](fields, msg);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]) {
    if (LEVELS[level] < this.min) return;
    // Nest passes the context name last; an Error or stack may come before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = { context };
    if (message instanceof Error) {
      fields.err = message;
      message = message.message;
    }
    if (rest.length && typeof rest[0] === 'string' && level === 'error') fields.stack = rest[0];
    this.event(level, typeof message === 'string' ? message : JSON.stringify(message), fields);
  }
}
