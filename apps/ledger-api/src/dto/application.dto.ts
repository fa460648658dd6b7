import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

export class IdentityVerificationDto {
  @ApiProperty({ description: 'ID card matches the payments account' }) @IsBoolean() idCard!: boolean;
  @ApiProperty({ description: 'Bank card matches' }) @IsBoolean() bankCard!: boolean;
  @ApiProperty({ description: 'Phone number matches' }) @IsBoolean() phone!: boolean;
}

export class DebitCardDto {
  @ApiProperty({ enum: ['DEBIT', 'CREDIT'], description: 'A debit card (储蓄卡) is required for auto-repayment' })
  @IsIn(['DEBIT', 'CREDIT'])
  kind!: 'DEBIT' | 'CREDIT';
  @ApiProperty({ example: '6222', pattern: '^\\d{4}$' }) @Matches(/^\d{4}$/, { message: 'last4 must be 4 digits' }) last4!: string;
}

export class CreditRecordDto {
  @ApiProperty({ description: 'A current overdue on the credit bureau record (征信)' }) @IsBoolean() currentOverdue!: boolean;
  @ApiProperty({ description: 'A severe delinquency on record' }) @IsBoolean() severeDelinquency!: boolean;
}

export class SubmitApplicationDto {
  @ApiProperty({ description: '18-character PRC resident ID number; stored only as a keyed hash and a masked form', example: '110105199005171233', pattern: '^\\d{17}[\\dXx]$' })
  @IsString()
  @Matches(/^\d{17}[\dXx]$/, { message: 'idNumber must be an 18-character PRC resident ID number' })
  idNumber!: string;

  @ApiProperty({ description: 'Full name; stored masked', example: '张三' }) @IsString() @MinLength(1) @MaxLength(50) @Matches(/\S/, { message: 'name must not be blank' }) @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' }) name!: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 nationality', example: 'CN' }) @Matches(/^[A-Z]{2}$/, { message: 'nationality must be an ISO 3166-1 alpha-2 code' }) nationality!: string;

  @ApiProperty({ enum: ['INVITED', 'CUSTOMER_SERVICE'] }) @IsIn(['INVITED', 'CUSTOMER_SERVICE']) channel!: 'INVITED' | 'CUSTOMER_SERVICE';

  @ApiProperty({ description: 'WeChat Pay score (支付分)', type: 'integer', minimum: 0, maximum: 1000, example: 720 }) @IsInt() @Min(0) @Max(1000) payScore!: number;

  @ApiProperty({ description: 'Payment transactions over the last 6 months', type: 'integer', minimum: 0, maximum: 1_000_000, example: 48 }) @IsInt() @Min(0) @Max(1_000_000) paymentsLast6Months!: number;

  @ApiProperty({ type: IdentityVerificationDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => IdentityVerificationDto) identityVerified!: IdentityVerificationDto;

  @ApiProperty({ type: DebitCardDto, nullable: true, required: false, description: 'The card to repay from; null or left out when the applicant has none, which rejects the application (NO_DEBIT_CARD)' }) @IsOptional() @IsObject() @ValidateNested() @Type(() => DebitCardDto) debitCard?: DebitCardDto | null;

  @ApiProperty({ type: CreditRecordDto }) @IsDefined() @IsObject() @ValidateNested() @Type(() => CreditRecordDto) creditRecord!: CreditRecordDto;
}
