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

/** Keys no DTO declares, on which class-transformer breaks (it takes `value.constructor` for the class to build). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any DTO goes; class-transformer recurses into every level and would overflow the stack. */
const MAX_DEPTH = 32;

/** Fields class-transformer cannot be given: reserved keys anywhere, and nesting deeper than MAX_DEPTH. */
function untransformable(value: unknown, path: string, depth = 0): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  if (depth > MAX_DEPTH) return [{ field: path, messages: [`${path} is nested too deeply`] }];
  return Object.entries(value).flatMap(([key, child]) => {
    const field = path ? `${path}.${key}` : key;
    return RESERVED_KEYS.has(key)
      ? [{ field, messages: [`property ${key} should not exist`] }]
      : untransformable(child, field, depth + 1);
  });
}

/** A body read into a DTO, with every field class-validator refused (the value is only trustworthy when none). */
export interface CollectedBody<T> {
  value: T;
  fields: FieldError[];
}

export function collectErrors<T extends object>(
  cls: ClassConstructor<T>,
  body: unknown,
  prefix = '',
): CollectedBody<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return {
      value: {} as T,
      fields: [{ field: prefix || 'body', messages: [`${prefix || 'body'} must be a JSON object`] }],
    };
  }
  const refused = untransformable(body, prefix);
  if (refused.length > 0) return { value: {} as T, fields: refused };
  const value = plainToInstance(cls, body, { enableImplicitConversion: false });
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  return { value, fields: fieldErrors(errors, prefix) };
}
