import { ValidationPipe } from '@nestjs/common';
import { validationException } from './errors';

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
