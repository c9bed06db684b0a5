import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { RECORDED_AUTHORIZATION_STATUSES, type RecordedAuthorizationStatus } from '@libs/domain/authorizations';
import { IsCalendarDate } from '../common/calendar-date';
import { validateBody } from '../common/validate-body';
import { DomainError, type FieldError } from '../common/domain-error';

/** Progress on one external authorization: `POST /api/requests/:id/authorizations/:kind`. */
export class AuthorizationProgressDto {
  @ApiProperty({ enum: RECORDED_AUTHORIZATION_STATUSES })
  @IsIn([...RECORDED_AUTHORIZATION_STATUSES], {
    message: `status must be one of: ${RECORDED_AUTHORIZATION_STATUSES.join(', ')}`,
  })
  status!: RecordedAuthorizationStatus;

  @ApiPropertyOptional({ example: 'Exit-entry administration, Beijing office' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  authority?: string;

  @ApiPropertyOptional({ example: 'EXIT-2027-0042' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  reference?: string;

  @ApiPropertyOptional({ example: '2027-02-10' })
  @IsOptional()
  @IsCalendarDate({ explainUnreal: true })
  decidedAt?: string;

  @ApiPropertyOptional({ example: '2027-02-10' })
  @IsOptional()
  @IsCalendarDate({ explainUnreal: true })
  validFrom?: string;

  @ApiPropertyOptional({ example: '2027-12-31', description: 'must reach the return date for the grant to count' })
  @IsOptional()
  @IsCalendarDate({ explainUnreal: true })
  validUntil?: string;

  @ApiPropertyOptional({ description: "the authority's reason; required for a refusal" })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

/** Reads the body, naming every bad field: the DTO's rules, a refusal without its reason, validity backwards. */
export function parseAuthorizationProgress(body: unknown): AuthorizationProgressDto {
  const dto = validateBody(AuthorizationProgressDto, body);
  const fields: FieldError[] = [];
  if (dto.status === 'refused' && !dto.reason?.trim()) {
    fields.push({ field: 'reason', messages: ["reason is required for a refusal (the authority's reason)"] });
  }
  if (dto.validFrom && dto.validUntil && dto.validUntil < dto.validFrom) {
    fields.push({ field: 'validUntil', messages: ['validUntil must not be before validFrom'] });
  }
  if (fields.length > 0) throw DomainError.validation(fields);
  return dto;
}

export const AUTHORIZATION_KIND = /^[a-z][a-z0-9_]{1,59}$/;
