import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { assertStorableInput } from './storable-input';

export interface FieldError {
  field: string;
  errors: string[];
}

/** Flattens nested class-validator errors into `profileInfo.venueName`-style paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** Query strings and path parameters get the body's rule: nothing PostgreSQL cannot store. */
class StrictValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') assertStorableInput(value, metadata.type === 'query' ? 'query' : 'path', metadata.data ?? '');
    return super.transform(value, metadata);
  }
}

/** Unknown fields are rejected, types are checked, and every bad field is named. */
export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      return new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: fields.map((f) => `${f.field}: ${f.errors.join(', ')}`).join('; '),
        fields,
      });
    },
  });
}
