/**
 * A five-field cron expression (minute hour day-of-month month day-of-week, UTC):
 * `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, lists `a,b`. Enough for a
 * sync schedule without a dependency. As in Vixie cron, when both day fields are
 * restricted a day matching either one matches.
 */
export class InvalidCronError extends Error {
  readonly code = 'INVALID_CRON';
  constructor(readonly expression: string, reason: string) {
    super(`invalid cron expression "${expression}": ${reason}`);
  }
}

export interface CronSchedule {
  expression: string;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

const FIELDS = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
] as const;

function parseField(expr: string, text: string, [name, min, max]: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new InvalidCronError(expr, `${name} "${part}" is not a number, range, step or *`);
    const from = m[1] === '*' ? min : Number(m[2]);
    const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? max : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new InvalidCronError(expr, `${name} "${part}" is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) out.add(name === 'day of week' && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(expression: string): CronSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) throw new InvalidCronError(expression, 'expected 5 fields');
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(expression, p, FIELDS[i]));
  return { expression, minutes, hours, days, months, weekdays, dayRestricted: parts[2] !== '*', weekdayRestricted: parts[4] !== '*' };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.days.has(d.getUTCDate());
  const dow = s.weekdays.has(d.getUTCDay());
  if (s.dayRestricted && s.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `after` that the schedule matches (searched up to 5 years ahead). */
export function nextOccurrence(s: CronSchedule, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
    } else if (!dayMatches(s, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
    } else if (!s.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
    } else if (!s.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
    } else {
      return t;
    }
  }
  throw new InvalidCronError(s.expression, 'never matches');
}
