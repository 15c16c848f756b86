import { withLogContext } from './context';
import { JsonLogger } from './json-logger';

const capture = (level: string) => {
  const lines: string[] = [];
  return { logger: new JsonLogger('profiles', level, (l) => lines.push(l)), lines, parsed: () => lines.map((l) => JSON.parse(l)) };
};

describe('JsonLogger', () => {
  it('writes one JSON object per line with time, level, service, message, the context and the fields (fields win)', () => {
    const { logger, lines, parsed } = capture('info');
    withLogContext({ correlationId: 'c-1', actor: 'u-1' }, () => logger.event('warn', 'relay slow', { ms: 12, actor: 'u-2' }));
    expect(lines).toHaveLength(1);
    expect(parsed()[0]).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), level: 'warn', service: 'profiles', msg: 'relay slow', correlationId: 'c-1', actor: 'u-2', ms: 12 });
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('warn');
    logger.event('debug', 'proxied');
    logger.event('info', 'listening');
    logger.debug('nest debug', 'RoutesResolver');
    logger.log('nest info', 'InstanceLoader');
    expect(lines).toEqual([]);
  });

  it('takes Nest\'s calls: the context name last, an Error with its stack', () => {
    const { logger, parsed } = capture('debug');
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.error(new Error('boom'), 'ExceptionsHandler');
    const [mapped, failed] = parsed();
    expect(mapped).toMatchObject({ level: 'info', msg: 'Mapped {/health, GET} route', context: 'RouterExplorer' });
    expect(failed).toMatchObject({ level: 'error', msg: 'boom', context: 'ExceptionsHandler', err: { message: 'boom', stack: expect.stringContaining('Error: boom') } });
  });

  it('treats an unknown level as info', () => {
    const { logger, lines } = capture('loud');
    logger.event('debug', 'hidden');
    logger.event('info', 'shown');
    expect(lines).toHaveLength(1);
  });
});
