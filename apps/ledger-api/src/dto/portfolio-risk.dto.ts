import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ReadConsistencyQuery, WholeNumber } from './account-commands.dto';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** An inclusive range of months for the risk views; either end may be left open. */
class MonthRangeQuery extends ReadConsistencyQuery {
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a month YYYY-MM' })
  from?: string;

  @IsOptional()
  @Matches(MONTH, { message: 'to must be a month YYYY-MM' })
  to?: string;
}

/** The vintages' range selects cohorts (approval months), not month ends. */
export class VintagesQuery extends MonthRangeQuery {
  @ApiProperty({ required: false, example: '2026-01', pattern: MONTH.source, description: 'The first approval month (cohort) to list, YYYY-MM (inclusive)' })
  declare from?: string;

  @ApiProperty({ required: false, example: '2026-12', pattern: MONTH.source, description: 'The last approval month (cohort) to list, YYYY-MM (inclusive); not before from' })
  declare to?: string;

  @ApiProperty({ required: false, type: 'integer', minimum: 1, maximum: 1200, example: 12, description: 'Only the newest this many cohorts of the range that have accounts; olderCohorts says how many it leaves out' })
  @IsOptional()
  @WholeNumber()
  @IsInt({ message: 'last must be an integer from 1 to 1200' })
  @Min(1, { message: 'last must be an integer from 1 to 1200' })
  @Max(1200, { message: 'last must be an integer from 1 to 1200' })
  last?: number;
}

/** The roll rates' range selects month ends. */
export class RollRatesQuery extends MonthRangeQuery {
  @ApiProperty({ required: false, example: '2026-01', pattern: MONTH.source, description: 'The first month end to list, YYYY-MM (inclusive)' })
  declare from?: string;

  @ApiProperty({ required: false, example: '2026-12', pattern: MONTH.source, description: 'The last month end to list, YYYY-MM (inclusive); not before from' })
  declare to?: string;
}
