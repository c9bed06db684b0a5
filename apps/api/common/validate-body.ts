import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { DomainError, type FieldError } from './domain-error';

/** Flattens class-validator's tree into `field.path: messages`, so a 400 names every bad field. */
export function fieldErrors(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...fieldErrors(e.children ?? [], field)];
  });
}

/** Validates a JSON body against a DTO class; unknown fields are errors too. */
export function validateBody<T extends object>(cls: ClassConstructor<T>, body: unknown, prefix = ''): T {
  const errors = collectErrors(cls, body, prefix);
  if (errors.fields.length > 0) throw DomainError.validation(errors.fields);
  return errors.value;
}

export function collectErrors<T extends object>(
  cls: ClassConstructor<T>,
  body: unknown,
  prefix = '',
): { value: T; fields: FieldError[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return {
      value: {} as T,
      fields: [{ field: prefix || 'body', messages: [`${prefix || 'body'} must be a JSON object`] }],
    };
  }
  const value = plainToInstance(cls, body, { enableImplicitConversion: false });
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return { value, fields: fieldErrors(errors, prefix) };
}
