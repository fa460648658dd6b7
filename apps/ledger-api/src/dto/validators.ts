/**
 * Field rules shared by the DTOs. Money is a JSON string of a positive decimal with at most 2 places and
 * at most 10 integer digits; a JSON number is refused, so no amount ever passes through a float.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/**
 * A positive amount without leading zeros: 0.01 to 9999999999.99, with 0, 1 or 2 decimals ("100",
 * "100.5" and "100.00" alike). The document publishes it, so it has no lookaround: Go's RE2 (oapi-codegen,
 * kin-openapi) cannot compile one. Zero is left out by the form (a whole part from 1, or "0." and a
 * fraction that is not zero) rather than by a lookahead for a digit other than 0, so "01" and "00.5",
 * which the lookahead took, are refused.
 */
export const AMOUNT_PATTERN = /^(?:[1-9]\d{0,9}(?:\.\d{1,2})?|0\.(?:0[1-9]|[1-9]\d?))$/;

/** What an amount must be, for a refusal: `$property must be ...`. */
export const AMOUNT_MESSAGE = 'a positive amount with at most 2 decimals, at most 10 integer digits and no leading zeros (such as "100.00" or "0.50")';

/** What an amount field accepts, for its description in the document. */
export const AMOUNT_RULE = 'CNY as a decimal string: from 0.01 to 9999999999.99, at most 2 decimals, no leading zeros ("100", "100.5", "100.00" and "0.50" are accepted; "0", "0.00", "01" and "00.5" are not)';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function IsAmount(options: ApiPropertyOptions = {}) {
  return applyDecorators(
    ApiProperty({ type: String, example: '1000.00', pattern: AMOUNT_PATTERN.source, description: AMOUNT_RULE, ...options } as ApiPropertyOptions),
    IsString({ message: '$property must be a decimal string such as "100.00" (JSON numbers are refused)' }),
    Matches(AMOUNT_PATTERN, { message: `$property must be ${AMOUNT_MESSAGE}` }),
  );
}

export function IsIdentifier(description: string, example = 'ORD-20260105-0001') {
  return applyDecorators(
    ApiProperty({ description, example, pattern: ID_PATTERN.source }),
    IsString(),
    Matches(ID_PATTERN, { message: '$property must be 1-64 letters, digits, or _ . : - and start with a letter or digit' }),
  );
}

/**
 * Free text: a string of at most `max` characters with something in it (empty or blank text is refused, as
 * it records nothing) and no control characters (a NUL, an escape), which would be stored in the event for
 * good and break the CSV, log and terminal views that show it. A `multiline` note may hold line breaks and
 * tabs (an operator's note pasted from a case file); a name or a code may not.
 */
export function IsText(description: string, max: number, example?: string, { multiline = false } = {}) {
  return applyDecorators(
    ApiProperty({ description, minLength: 1, maxLength: max, example }),
    IsString(),
    MaxLength(max),
    Matches(/\S/, { message: '$property must not be empty or blank' }),
    multiline
      ? Matches(/^(?:[\t\n\r]|\P{Cc})*$/u, { message: '$property must not contain control characters other than line breaks and tabs' })
      : Matches(/^\P{Cc}*$/u, { message: '$property must not contain control characters' }),
  );
}
