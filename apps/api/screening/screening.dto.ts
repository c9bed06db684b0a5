import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { ENTRY_LIMITS } from '@libs/screening/csl-csv';

const NOT_BLANK = /\S/;

export class CreateEntryDto {
  @ApiProperty({ example: 'ACME Quantum Research Institute', maxLength: ENTRY_LIMITS.name })
  @IsString()
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @MaxLength(ENTRY_LIMITS.name)
  name!: string;

  @ApiPropertyOptional({
    example: 'CN',
    nullable: true,
    description: 'ISO 3166-1 alpha-2; omit or null when the list gives no country',
  })
  @IsOptional()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code' })
  country?: string | null;

  @ApiProperty({ example: 'internal', maxLength: ENTRY_LIMITS.source, description: 'the list the entry belongs to' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'source must not be blank' })
  @MaxLength(ENTRY_LIMITS.source)
  source!: string;

  @ApiPropertyOptional({ type: [String], example: ['AQRI'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Matches(NOT_BLANK, { each: true, message: 'each alias must not be blank' })
  @MaxLength(ENTRY_LIMITS.name, { each: true })
  aliases?: string[];

  @ApiPropertyOptional({ description: "the entry's identifier in its source list", maxLength: ENTRY_LIMITS.externalId })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'externalId must not be blank' })
  @MaxLength(ENTRY_LIMITS.externalId)
  externalId?: string | null;
}

export const REASON_MAX = 2000;

/** An edit: the fields to change (at least one of name, country, source) and why. */
export class UpdateEntryDto {
  @ApiPropertyOptional({ example: 'ACME Quantum Research Institute', maxLength: ENTRY_LIMITS.name })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @MaxLength(ENTRY_LIMITS.name)
  name?: string;

  @ApiPropertyOptional({ example: 'CN', nullable: true, description: 'ISO 3166-1 alpha-2; null for no country' })
  @IsOptional()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code' })
  country?: string | null;

  @ApiPropertyOptional({ example: 'internal', maxLength: ENTRY_LIMITS.source })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'source must not be blank' })
  @MaxLength(ENTRY_LIMITS.source)
  source?: string;

  @ApiProperty({ example: 'The list spells the name differently since its last update', maxLength: REASON_MAX })
  @IsString({ message: 'reason is required: say why the entry changes' })
  @Matches(NOT_BLANK, { message: 'reason is required: say why the entry changes' })
  @MaxLength(REASON_MAX)
  reason!: string;
}

/** A removal: why (in the body, or in the X-Change-Reason header). */
export class RemoveEntryDto {
  @ApiPropertyOptional({ example: 'Taken off the Entity List on 2026-11-01', maxLength: REASON_MAX })
  @IsOptional()
  @IsString()
  @MaxLength(REASON_MAX)
  reason?: string;
}

export class CheckNameDto {
  @ApiProperty({ example: 'Acme Quantum Research Inst.' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'name must not be blank' })
  @MaxLength(ENTRY_LIMITS.name)
  name!: string;

  @ApiPropertyOptional({ example: 'CN', nullable: true, description: 'ISO 3166-1 alpha-2' })
  @IsOptional()
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code' })
  country?: string | null;
}

export class ListEntriesQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(300)
  q?: string;

  @IsOptional()
  @IsString()
  @MaxLength(ENTRY_LIMITS.source)
  source?: string;

  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'includeRemoved must be true or false' })
  includeRemoved?: string;
}

export const IMPORT_MODES = ['replace', 'append'] as const;

export class ImportQueryDto {
  @IsOptional()
  @IsIn(IMPORT_MODES, { message: 'mode must be replace or append' })
  mode?: (typeof IMPORT_MODES)[number];
}
