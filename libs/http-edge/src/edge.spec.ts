import { Body, Controller, Get, Module, Param, Post, Req, Res, type INestApplication } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { currentLogContext, JsonLogger, RippleMetrics } from '@ripple/observability';
import { createHttpApp, CORRELATION_HEADER } from './bootstrap';
import { SignedBody, type JsonBodyRequest } from './json-body';
import { streamingResponse, type ResponseHeaders } from './response';

class NoteDto {
  @IsOptional() @IsString() text?: string;
}

@Controller()
class EdgeController {
  @Post('notes')
  note(@Body() dto: NoteDto) {
    return { success: true, data: { dto, correlationId: currentLogContext().correlationId } };
  }

  @Post('anything')
  anything(@Body() body: unknown) {
    return { success: true, data: body ?? null };
  }

  @Post('signed')
  @SignedBody()
  signed(@Req() req: JsonBodyRequest) {
    return { success: true, data: { body: req.body ?? null, raw: req.rawBody?.toString('utf8') ?? null, bodyError: req.bodyError ?? null } };
  }

  @Get('things/:id')
  thing(@Param('id') id: string, @Res({ passthrough: true }) res: ResponseHeaders) {
    res.header('ETag', '"7"');
    return { success: true, data: { id } };
  }

  @Post('stream')
  stream(@Res() reply: unknown) {
    const res = streamingResponse(reply);
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"n":1}\n');
    setTimeout(() => res.end('{"n":2}\n'), 10);
  }
}
@Module({ controllers: [EdgeController] })
class EdgeModule {}

let app: INestApplication;
let base: string;
const metrics = new RippleMetrics();
beforeAll(async () => {
  app = await createHttpApp(EdgeModule, { logger: new JsonLogger('test', 'error', () => undefined), metrics, bodyLimit: '1kb' });
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
});
afterAll(() => app?.close());

/** `contentType` null: none sent (a string body goes as bytes, which fetch labels with no type). */
const post = async (path: string, body: string | undefined, contentType: string | null = 'application/json', headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: contentType === null && body !== undefined ? new TextEncoder().encode(body) : body, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
};
const errorOf = (r: { status: number; body: { error?: { code?: string } } }) => [r.status, r.body.error?.code];

describe('the JSON body', () => {
  it('is parsed for application/json and application/*+json, in UTF-8, and validated', async () => {
    expect((await post('/notes', '{"text":"hi"}')).body.data.dto).toEqual({ text: 'hi' });
    expect((await post('/notes', '{"text":"hi"}', 'application/merge-patch+json; charset=UTF-8')).body.data.dto).toEqual({ text: 'hi' });
    expect(errorOf(await post('/notes', '{"text":1}'))).toEqual([400, 'VALIDATION_FAILED']);
    expect(errorOf(await post('/notes', '{"other":1}'))).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('refuses another content type or charset with 415 naming it', async () => {
    const plain = await post('/anything', 'hello', 'text/plain');
    expect(errorOf(plain)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(plain.body.error.message).toContain('"text/plain"');
    const latin1 = await post('/anything', '{"a":1}', 'application/json; charset=latin1');
    expect(errorOf(latin1)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(latin1.body.error.message).toContain('"latin1"');
    const untyped = await post('/anything', '{"a":1}', null);
    expect(errorOf(untyped)).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(untyped.body.error.message).toContain('(none)');
  });

  it('takes an empty body as none, whatever its type', async () => {
    expect(await post('/anything', '', 'application/json')).toMatchObject({ status: 201, body: { data: {} } });
    expect(await post('/anything', '', 'text/plain')).toMatchObject({ status: 201, body: { data: null } });
    expect(await post('/anything', undefined, null)).toMatchObject({ status: 201, body: { data: null } });
  });

  it('answers malformed JSON, or a bare value at the top, with 400 MALFORMED_JSON', async () => {
    expect(errorOf(await post('/anything', '{"a": '))).toEqual([400, 'MALFORMED_JSON']);
    const scalar = await post('/anything', '"just a string"');
    expect(errorOf(scalar)).toEqual([400, 'MALFORMED_JSON']);
    expect(scalar.body.error.message).toContain('expected an object or an array');
  });

  it('answers a body over the limit with 413, whether or not it says its length', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    expect(errorOf(await post('/notes', big))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const chunked = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    const res = await fetch(`${base}/notes`, { method: 'POST', body: chunked, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('answers what PostgreSQL cannot store, or nesting too deep, with 400 naming the place', async () => {
    const nul = await post('/anything', JSON.stringify({ a: { b: 'x\u0000' } }));
    expect(errorOf(nul)).toEqual([400, 'VALIDATION_FAILED']);
    expect(nul.body.error.fields).toEqual([{ field: 'a.b', errors: [expect.any(String)] }]);
    expect(errorOf(await post('/anything', `${'['.repeat(40)}${']'.repeat(40)}`))).toEqual([400, 'BODY_TOO_DEEP']);
  });

  it('on a @SignedBody() route, keeps the raw bytes and hands malformed JSON on as bodyError', async () => {
    expect((await post('/signed', '{"a": 1}')).body.data).toEqual({ body: { a: 1 }, raw: '{"a": 1}', bodyError: null });
    const malformed = (await post('/signed', '{"a": ')).body.data;
    expect(malformed).toMatchObject({ body: null, raw: '{"a": ' });
    expect(malformed.bodyError).toMatch(/^request body is not valid JSON/);
    // Depth and storability are the edge's own limits: still a 400 first.
    expect(errorOf(await post('/signed', `${'['.repeat(40)}${']'.repeat(40)}`))).toEqual([400, 'BODY_TOO_DEEP']);
  });
});

describe('every request', () => {
  it('gets a correlation id: the client\'s when sane, else a new one, on the answer and in the handler\'s log context', async () => {
    const given = await post('/notes', '{}', 'application/json', { [CORRELATION_HEADER]: 'req-42' });
    expect(given.headers.get(CORRELATION_HEADER)).toBe('req-42');
    expect(given.body.data.correlationId).toBe('req-42');
    const insane = await post('/notes', '{}', 'application/json', { [CORRELATION_HEADER]: 'no spaces allowed' });
    expect(insane.headers.get(CORRELATION_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    expect(insane.body.data.correlationId).toBe(insane.headers.get(CORRELATION_HEADER));
    // Errors the edge answers itself carry it too.
    expect((await post('/anything', 'x', 'text/plain', { [CORRELATION_HEADER]: 'req-43' })).headers.get(CORRELATION_HEADER)).toBe('req-43');
  });

  it('is counted by route pattern and status, an unmatched one under one label', async () => {
    const res = await fetch(`${base}/things/abc`);
    expect([res.status, res.headers.get('etag'), (await res.json()).data]).toEqual([200, '"7"', { id: 'abc' }]);
    expect((await fetch(`${base}/nowhere/${Math.random()}`)).status).toBe(404);
    const counted = (await metrics.httpRequests.get()).values.map((v) => `${v.labels.method} ${v.labels.route} ${v.labels.status}`);
    expect(counted).toEqual(expect.arrayContaining(['GET /things/:id 200', 'GET unmatched 404', 'POST /anything 415']));
  });

  it('reaches its route whatever the length of a path parameter, so validation, not routing, answers a bad one', async () => {
    const id = 'x'.repeat(300);
    const res = await fetch(`${base}/things/${id}`);
    expect([res.status, (await res.json()).data]).toEqual([200, { id }]);
  });

  it('may be answered by a stream the handler writes itself, still carrying its correlation id', async () => {
    const res = await fetch(`${base}/stream`, { method: 'POST', headers: { [CORRELATION_HEADER]: 'req-44' } });
    expect([res.status, res.headers.get('content-type'), res.headers.get(CORRELATION_HEADER)]).toEqual([200, 'application/x-ndjson', 'req-44']);
    expect(await res.text()).toBe('{"n":1}\n{"n":2}\n');
  });
});
