import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '@ripple/http-edge';
import { InvalidInputError } from './invalid-input.error';

/**
 * A body checked against its DTO where the edge's pipe cannot do it: after a
 * check that must come first (a signature), or against a DTO chosen at run
 * time. Unknown fields are refused unless `allowUnknown` (a merge of stored and sent fields).
 */
export async function validInput<T extends object>(dto: new () => T, body: unknown, opts: { allowUnknown?: boolean } = {}): Promise<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidInputError([{ field: 'body', errors: ['must be an object'] }]);
  const value = plainToInstance(dto, body);
  const errors = await validate(value, { whitelist: true, forbidNonWhitelisted: !opts.allowUnknown, stopAtFirstError: true });
  if (errors.length) throw new InvalidInputError(flattenValidationErrors(errors));
  return value;
}
