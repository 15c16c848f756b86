import { isDatabaseUnavailable } from './database-unavailable';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['admin_shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['cannot_connect_now (57P03)', withCode('57P03', 'the database system is starting up')],
    ['any connection exception (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ["TypeORM's wrapper", Object.assign(new Error('query failed'), { driverError: withCode('57P01') })],
    ['a cause', new Error('load failed', { cause: new Error('Connection terminated') })],
    ['an AggregateError of refused addresses', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')])],
  ])('is true for %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a value out of range', withCode('22003')],
    ['a syntax error', withCode('42601')],
    ['a domain error', withCode('VERSION_CONFLICT')],
    ['a plain error', new Error('boom')],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('is false for %s', (_what, err) => {
    expect(isDatabaseUnavailable(err)).toBe(false);
  });
});
