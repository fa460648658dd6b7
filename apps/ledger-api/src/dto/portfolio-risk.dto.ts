import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ReadConsistencyQuery } from './account-commands.dto';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** An inclusive range of months for the risk views; either end may be left open. */
export class MonthRangeQuery extends ReadConsistencyQuery {
  @ApiProperty({ required: false, example: '2026-01', pattern: MONTH.source, description: 'The first month, YYYY-MM (inclusive)' })
  @IsOptional()
  @Matches(MONTH, { message: 'from must be a month YYYY-MM' })
  from?: string;

  @ApiProperty({ required: false, example: '2026-12', pattern: MONTH.source, description: 'The last month, YYYY-MM (inclusive); not before from' })
  @IsOptional()
  @Matches(MONTH, { message: 'to must be a month YYYY-MM' })
  to?: string;
}
