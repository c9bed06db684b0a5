import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { isEmail } from 'class-validator';
import type { Person } from '@libs/domain/person';
import { PARTIES, ROLES, TIERS, type Party, type Role, type Tier } from '@libs/domain/vocabulary';
import { DomainError, type FieldError } from '../common/domain-error';
import { IsCalendarDate } from '../common/calendar-date';
import { collectErrors } from '../common/validate-body';

/** An address the directory accepts as a person's key (and a manager's). */
export function isDirectoryEmail(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && isEmail(value);
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export class PartyMembershipDto {
  @ApiProperty({ enum: PARTIES })
  @IsIn(PARTIES, { message: `party must be one of: ${PARTIES.join(', ')}` })
  party!: Party;

  @ApiProperty({ description: 'A lead receives escalations and can decide for the party' })
  @IsBoolean({ message: 'lead must be true or false' })
  lead!: boolean;
}

/** PUT /api/directory/people/:email: the whole person; whatever is left out is reset. */
export class PutPersonDto {
  @ApiProperty({ example: 'Alice Kim' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(200)
  name!: string;

  @ApiProperty({ enum: TIERS, nullable: true, description: 'null for people who never request' })
  @ValidateIf((o: PutPersonDto) => o.tier !== null)
  @IsIn(TIERS, { message: `tier must be one of: ${TIERS.join(', ')}, or null` })
  tier!: Tier | null;

  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray({ message: 'roles must be a list' })
  @ArrayNotEmpty({ message: 'roles must name at least one role' })
  @ArrayUnique({ message: 'roles must not repeat a role' })
  @IsIn(ROLES, { each: true, message: `each of roles must be one of: ${ROLES.join(', ')}` })
  roles!: Role[];

  @ApiPropertyOptional({ example: 'dave@example.com', nullable: true })
  @IsOptional()
  @IsEmail({}, { message: 'managerEmail must be an email address' })
  @MaxLength(254)
  managerEmail?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean({ message: 'classifiedAccess must be true or false' })
  classifiedAccess?: boolean | null;

  @ApiPropertyOptional({ example: '2030-12-31', nullable: true })
  @IsOptional()
  @IsCalendarDate()
  confidentialityPeriodEnds?: string | null;

  @ApiPropertyOptional({ type: [PartyMembershipDto], description: 'Memberships; a lead is a member with lead=true' })
  @IsOptional()
  @IsArray({ message: 'parties must be a list' })
  @ArrayMaxSize(PARTIES.length, { message: `parties lists each party at most once` })
  @ValidateNested({ each: true })
  @Type(() => PartyMembershipDto)
  parties?: PartyMembershipDto[];
}

/**
 * Validates a PUT body for the person at `email` and answers the domain person, or throws a 400
 * that names every bad field: the DTO's own checks plus those across fields (the path's email,
 * a party listed twice, a person managing themselves, an admin removing their own admin role).
 */
export function parsePersonInput(email: string, body: unknown, callerEmail?: string): Person {
  const { value, fields } = collectErrors(PutPersonDto, body);
  const errors: FieldError[] = [...fields];
  const key = normalizeEmail(email);
  if (!isDirectoryEmail(key)) errors.push({ field: 'email', messages: ['the path must end with an email address'] });
  const parties = Array.isArray(value.parties) ? value.parties : [];
  const named = parties.map((m) => m?.party).filter((p) => typeof p === 'string');
  if (new Set(named).size !== named.length) {
    errors.push({ field: 'parties', messages: ['parties lists each party at most once'] });
  }
  if (typeof value.managerEmail === 'string' && normalizeEmail(value.managerEmail) === key) {
    errors.push({ field: 'managerEmail', messages: ['managerEmail must name someone else than the person'] });
  }
  if (key === callerEmail && Array.isArray(value.roles) && !value.roles.includes('admin')) {
    errors.push({ field: 'roles', messages: ['you cannot remove your own admin role; ask another admin'] });
  }
  if (errors.length > 0) throw DomainError.validation(errors);
  return {
    email: key,
    name: value.name.trim(),
    tier: value.tier,
    roles: value.roles,
    managerEmail: value.managerEmail ? normalizeEmail(value.managerEmail) : null,
    flags: {
      classifiedAccess: value.classifiedAccess ?? false,
      confidentialityPeriodEnds: value.confidentialityPeriodEnds ?? null,
    },
    parties: parties.map((m) => ({ party: m.party, lead: m.lead })),
  };
}

export class ListPeopleQueryDto {
  @IsOptional()
  @IsString({ message: 'q must be given once' })
  @MaxLength(200)
  q?: string;

  @IsOptional()
  @IsIn([...TIERS, 'none'], { message: `tier must be one of: ${TIERS.join(', ')}, none` })
  tier?: Tier | 'none';

  @IsOptional()
  @IsIn(PARTIES, { message: `party must be one of: ${PARTIES.join(', ')}` })
  party?: Party;

  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of: ${ROLES.join(', ')}` })
  role?: Role;

  @IsOptional()
  @Matches(/^\d{1,3}$/, { message: 'limit must be a whole number from 1 to 200' })
  limit?: string;

  @IsOptional()
  @IsString({ message: 'cursor must be given once' })
  @MaxLength(400)
  cursor?: string;
}

export class ImportQueryDto {
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'dryRun must be true or false' })
  dryRun?: string;
}
