import { ValidationPipe } from '@nestjs/common';
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
