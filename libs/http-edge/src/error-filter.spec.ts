import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { RippleError, VersionConflictError } from '@ripple/errors';
import { StreamVersionConflictError } from '@ripple/event-store';
import { JsonLogger, RippleMetrics } from '@ripple/observability';
import { createHttpApp } from './bootstrap';

class ShelfFullError extends RippleError {
  readonly code = 'SHELF_FULL';
  readonly httpStatus = 422;
  constructor(readonly shelf: string, cause: unknown) {
    super(`shelf ${shelf} is full`, { cause });
  }
}
class CodedButNotRipple extends Error {
  readonly code = 'SHELF_FULL';
}

@Controller()
class ThrowingController {
  @Get('ripple') ripple() {
    throw new ShelfFullError('s1', new Error('disk quota'));
  }
  @Get('conflict') conflict() {
    throw new VersionConflictError('user u1', { userId: 'u1' }, 1, 2);
  }
  @Get('stream-conflict') streamConflict() {
    throw new StreamVersionConflictError('u1', 1, 2);
  }
  @Get('coded') coded() {
    throw new CodedButNotRipple('not a domain error');
  }
}
@Module({ controllers: [ThrowingController] })
class ThrowingModule {}

let app: INestApplication;
let base: string;
const logged: string[] = [];
beforeAll(async () => {
  app = await createHttpApp(ThrowingModule, { logger: new JsonLogger('test', 'error', (l) => logged.push(l)), metrics: new RippleMetrics(), bodyLimit: '10kb' });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});
afterAll(() => app?.close());

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: await res.json() };
};

describe('ErrorFilter', () => {
  it('answers a RippleError with the status it declares, its code, message and own fields; never its status field, cause or stack', async () => {
    const { status, body } = await get('/ripple');
    expect(status).toBe(422);
    expect(body).toEqual({ success: false, error: { code: 'SHELF_FULL', message: 'shelf s1 is full', shelf: 's1' } });
  });

  it('answers every aggregate\'s version conflict as 409 naming the aggregate as the service always has', async () => {
    expect(await get('/conflict')).toEqual({
      status: 409,
      body: { success: false, error: { code: 'VERSION_CONFLICT', message: 'user u1 is at version 2, not 1', userId: 'u1', expectedVersion: 1, currentVersion: 2 } },
    });
    expect(await get('/stream-conflict')).toEqual({
      status: 409,
      body: { success: false, error: { code: 'VERSION_CONFLICT', message: 'stream u1 is at version 2, not 1', streamId: 'u1', expectedVersion: 1, currentVersion: 2 } },
    });
  });

  it('answers an error that only carries a code with a 500 that says nothing of it', async () => {
    expect(await get('/coded')).toEqual({ status: 500, body: { success: false, error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(logged.some((l) => l.includes('not a domain error'))).toBe(true);
  });
});

describe('RippleError', () => {
  it('keeps its cause', () => {
    const cause = new Error('disk quota');
    expect(new ShelfFullError('s1', cause).cause).toBe(cause);
  });
});
