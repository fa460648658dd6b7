import { HttpStatus, type PipeTransform, ValidationPipe } from '@nestjs/common';
import { ApiError, validationException } from './errors';

/**
 * Whitelists DTO fields and refuses unknown ones; no implicit conversion, so a JSON number sent for a
 * money field is refused rather than turned into a string.
 */
export function ledgerValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: validationException,
  });
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A billed month in a path (`/statements/:month`): YYYY-MM, or 400. */
export function assertMonth(month: string): void {
  if (!MONTH.test(month)) throw new ApiError(400, { error: 'VALIDATION_FAILED', message: 'month must be YYYY-MM', details: [{ field: 'month' }] });
}

/**
 * For a route that takes no body or no query parameters of its own (a payoff, a clearance, a replay of
 * the log): anything sent is refused as the DTOs' whitelist refuses an unknown field elsewhere, rather
 * than ignored, so a client that believes it asked for something (`?asOf=` on a route that has none)
 * learns that it did not. A class-validator DTO with no fields cannot say this: it refuses every value.
 */
export const NO_FIELDS: PipeTransform = {
  transform(value: unknown) {
    if (value === undefined || value === null) return value;
    const details =
      typeof value === 'object' && !Array.isArray(value)
        ? Object.keys(value).map((field) => ({ field, problems: [`${field} is not a field or parameter of this request`] }))
        : [{ field: 'body', problems: ['this request takes no body'] }];
    if (details.length === 0) return value;
    throw new ApiError(HttpStatus.BAD_REQUEST, {
      error: 'VALIDATION_FAILED',
      message: details.map((d) => `${d.field}: ${d.problems[0]}`).join(' | '),
      details,
    });
  },
};
