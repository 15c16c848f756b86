import type { ResponseObject, SchemaObject } from '@nestjs/swagger';

/** Every error answer's shape (the edge's error filter writes it). */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['success', 'error'],
  properties: {
    success: { type: 'boolean', enum: [false] },
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code, e.g. VALIDATION_FAILED' },
        message: { type: 'string' },
        fields: {
          type: 'array',
          description: 'On VALIDATION_FAILED: every field that was refused',
          items: { type: 'object', properties: { field: { type: 'string' }, errors: { type: 'array', items: { type: 'string' } } } },
        },
      },
      additionalProperties: true,
    },
  },
};

export const SUCCESS_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['success'],
  properties: { success: { type: 'boolean', enum: [true] }, data: { description: 'The resource or result' } },
  additionalProperties: true,
};

const failure = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ success: false, error: { code, message, ...extra } });

/** The errors a route can answer, by what the route has (a body, a path parameter, a bearer guard). */
export function errorResponses(route: { body: boolean; pathParams: boolean; bearer: boolean }): Record<string, ResponseObject> {
  const out: Record<string, ResponseObject> = {
    '400': errorResponse('Bad input: every refused field is named', {
      validation: failure('VALIDATION_FAILED', 'profileInfo.phone: phone must be a string', { fields: [{ field: 'profileInfo.phone', errors: ['phone must be a string'] }] }),
      ...(route.body ? { malformed: failure('MALFORMED_JSON', 'request body is not valid JSON: Unexpected token') } : {}),
    }),
  };
  if (route.bearer) {
    out['401'] = errorResponse('No, expired or revoked token', {
      missing: failure('AUTH_REQUIRED', 'Authorization: Bearer <token> is required'),
      expired: failure('TOKEN_EXPIRED', 'token expired'),
      revoked: failure('TOKEN_REVOKED', 'token was revoked'),
    });
    out['403'] = errorResponse('The caller may not do this', { forbidden: failure('FORBIDDEN', 'requires role admin') });
  }
  if (route.pathParams) out['404'] = errorResponse('No such resource', { notFound: failure('NOT_FOUND', 'not found') });
  if (route.body) out['413'] = errorResponse('Body over the limit', { tooLarge: failure('PAYLOAD_TOO_LARGE', 'request body exceeds the limit') });
  out['503'] = errorResponse('A dependency (database, broker) is unavailable; retry later', { unavailable: failure('SERVICE_UNAVAILABLE', 'database unavailable') });
  return out;
}

function errorResponse(description: string, examples: Record<string, unknown>): ResponseObject {
  return {
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) } },
  };
}
