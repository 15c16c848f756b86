import { InvalidCronError, nextOccurrence, parseCron } from './cron';

const next = (expr: string, after: string) => nextOccurrence(parseCron(expr), new Date(after)).toISOString();

describe('cron', () => {
  it.each([
    ['*/15 * * * *', '2026-03-01T10:07:30Z', '2026-03-01T10:15:00.000Z'],
    ['0 3 * * *', '2026-03-01T03:00:00Z', '2026-03-02T03:00:00.000Z'],
    ['30 2 1 * *', '2026-02-15T00:00:00Z', '2026-03-01T02:30:00.000Z'],
    ['0 9 * * 1-5', '2026-03-06T10:00:00Z', '2026-03-09T09:00:00.000Z'],
    ['0 0 29 2 *', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['5,35 */6 * * 7', '2026-03-01T06:06:00Z', '2026-03-01T06:35:00.000Z'],
    ['0 0 13 * 5', '2026-03-01T00:00:00Z', '2026-03-06T00:00:00.000Z'],
  ])('%s after %s is %s', (expr, after, expected) => {
    expect(next(expr, after)).toBe(expected);
  });

  it.each(['* * * *', '60 * * * *', '* 24 * * *', '*/0 * * * *', 'a * * * *', '5-2 * * * *'])('refuses "%s"', (expr) => {
    expect(() => parseCron(expr)).toThrow(InvalidCronError);
  });
});
