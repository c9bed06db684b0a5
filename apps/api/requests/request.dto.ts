import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { parseManifest } from '@libs/domain/manifest';
import { returnDateRequired, type RequestInput } from '@libs/domain/request';
import {
  COUNTERPARTY_ROLES,
  DATA_CATEGORIES,
  DEAL_INVOLVEMENTS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  TECHNOLOGY_AREAS,
  type RequestType,
} from '@libs/domain/vocabulary';
import { isCalendarDate, todayUtc } from '@libs/domain/calendar-date';
import { IsCalendarDate } from '../common/calendar-date';
import { collectErrors } from '../common/validate-body';
import { DomainError, type FieldError } from '../common/domain-error';

function NotInThePast(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notInThePast',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must not be in the past`, ...options },
      validator: { validate: (value: unknown) => !isCalendarDate(value) || value >= todayUtc() },
    });
}

function NotBefore(other: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notBefore',
      target: target.constructor,
      propertyName,
      constraints: [other],
      options: { message: `${propertyName} must not be before ${other}`, ...options },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const otherValue = (args.object as Record<string, unknown>)[other];
          return !isCalendarDate(value) || !isCalendarDate(otherValue) || value >= otherValue;
        },
      },
    });
}

/** `none` means nothing else: it cannot be listed together with other values. */
function NoneAlone(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'noneAlone',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} cannot combine "none" with other values`, ...options },
      validator: {
        validate: (value: unknown) => !Array.isArray(value) || !value.includes('none') || value.length === 1,
      },
    });
}

export class CounterpartyDto {
  @ApiProperty({ example: 'Example Org' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2({ message: 'country must be an ISO 3166-1 alpha-2 country code' })
  country!: string;

  @ApiPropertyOptional({
    description: 'The counterparty’s own contact, outside the company (a person in our directory is refused)',
  })
  @IsOptional()
  @IsEmail({}, { message: 'contactEmail must be an email address' })
  @MaxLength(254)
  contactEmail?: string;
}

export class ConferenceDetailsDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  eventName!: string;

  @IsBoolean()
  presenting!: boolean;
}

export class OverseasAssignmentDetailsDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  hostEntity!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  role!: string;

  @IsInt()
  @Min(1)
  @Max(120)
  months!: number;
}

export class MaParticipationDetailsDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  dealName!: string;

  @IsIn(COUNTERPARTY_ROLES)
  counterpartyRole!: string;

  @IsIn(DEAL_INVOLVEMENTS)
  involvement!: string;
}

export class PassportReleaseDetailsDto {
  @IsOptional()
  @IsUUID('all', { message: 'travelRequestId must be the id of a request' })
  travelRequestId?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason!: string;
}

export class DepartureAbroadDetailsDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  newEmployer!: string;

  @IsCalendarDate()
  lastWorkingDay!: string;
}

const DETAILS_DTO: Record<RequestType, new () => object> = {
  conference: ConferenceDetailsDto,
  overseas_assignment: OverseasAssignmentDetailsDto,
  ma_participation: MaParticipationDetailsDto,
  passport_release: PassportReleaseDetailsDto,
  departure_abroad: DepartureAbroadDetailsDto,
};

/** POST /api/requests and POST /api/requests/:id/amend. `details` is checked per `type`. */
export class CreateRequestDto {
  @ApiProperty({ enum: REQUEST_TYPES })
  @IsIn(REQUEST_TYPES, { message: `type must be one of: ${REQUEST_TYPES.join(', ')}` })
  type!: RequestType;

  @ApiProperty({ example: 'US', description: 'ISO 3166-1 alpha-2' })
  @IsISO31661Alpha2({ message: 'destinationCountry must be an ISO 3166-1 alpha-2 country code' })
  destinationCountry!: string;

  @ApiProperty({ example: '2027-03-01' })
  @IsCalendarDate()
  @NotInThePast()
  departureDate!: string;

  @ApiPropertyOptional({
    example: '2027-03-07',
    description:
      'Required for every type but departure_abroad, where it is optional: without one the departure is a permanent move ' +
      '(its trip ends on the departure date). When given, not before departureDate.',
    nullable: true,
  })
  @ValidateIf(
    (o: CreateRequestDto) => returnDateRequired(o.type) || (o.returnDate !== undefined && o.returnDate !== null),
  )
  @IsDefined({ message: 'returnDate is required (only a departure abroad, a permanent move, may leave it out)' })
  @IsCalendarDate()
  @NotBefore('departureDate')
  returnDate?: string | null;

  @ApiProperty({ example: 'Present a paper' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  purpose!: string;

  @ApiPropertyOptional({ type: [CounterpartyDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CounterpartyDto)
  counterparties?: CounterpartyDto[];

  @ApiProperty({ enum: TECHNOLOGY_AREAS, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(TECHNOLOGY_AREAS, {
    each: true,
    message: `each of technologyAreas must be one of: ${TECHNOLOGY_AREAS.join(', ')}`,
  })
  @NoneAlone()
  technologyAreas!: string[];

  @ApiProperty({ enum: DATA_CATEGORIES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(DATA_CATEGORIES, {
    each: true,
    message: `each of dataCategories must be one of: ${DATA_CATEGORIES.join(', ')}`,
  })
  @NoneAlone()
  dataCategories!: string[];

  @ApiProperty({ description: 'Per type: see the contract', type: Object })
  @IsDefined({ message: 'details is required' })
  details!: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'The trip manifest (optional): devices taken (company devices by asset tag) and materials to be shown ' +
      'or carried, each marked published or not; an unpublished material adds data_governance.',
    type: Object,
    example: {
      devices: [{ kind: 'company_laptop', assetTag: 'LT-1234' }],
      materials: [{ title: 'Scaling laws', published: false }],
    },
  })
  @IsOptional()
  @Allow()
  manifest?: unknown;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Rules between fields of one type, checked once each field is valid on its own: someone leaving
 * for an employer abroad works their last day on or before the departure.
 */
function crossFieldErrors(value: CreateRequestDto, found: FieldError[]): FieldError[] {
  const bad = new Set(found.map((e) => e.field));
  if (value.type !== 'departure_abroad' || bad.has('departureDate') || bad.has('details.lastWorkingDay')) return [];
  const last = (value.details as { lastWorkingDay?: unknown } | undefined)?.lastWorkingDay;
  if (typeof last !== 'string' || !ISO_DATE.test(last) || !ISO_DATE.test(value.departureDate)) return [];
  return last > value.departureDate
    ? [
        {
          field: 'details.lastWorkingDay',
          messages: [`lastWorkingDay must be on or before the departure date (${value.departureDate})`],
        },
      ]
    : [];
}

/** POST /api/requests/:id/amend: a new request's body, and the requester's optional reply to the reviewers. */
export class AmendRequestDto extends CreateRequestDto {
  @ApiPropertyOptional({
    description: 'The requester’s answer to the reviewers who asked for changes; the parties asked again read it',
    maxLength: 2000,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString({ message: 'reply must be text' })
  @MaxLength(2000, { message: 'reply must be at most 2000 characters' })
  reply?: string;
}

/** Validates a request body, including the details of its type, and returns the domain input. */
export function parseRequestInput(body: unknown): RequestInput {
  return parseRequest(CreateRequestDto, body).request;
}

/** An amendment's body: the request as it now is, and the reply (trimmed; undefined when empty). */
export function parseAmendInput(body: unknown): { request: RequestInput; reply?: string } {
  const { request, value } = parseRequest(AmendRequestDto, body);
  return { request, ...(value.reply ? { reply: value.reply } : {}) };
}

function parseRequest<T extends CreateRequestDto>(
  cls: new () => T,
  body: unknown,
): { request: RequestInput; value: T } {
  const { value, fields } = collectErrors(cls, body);
  const errors: FieldError[] = [...fields];
  const detailsDto = REQUEST_TYPES.includes(value.type) ? DETAILS_DTO[value.type] : undefined;
  if (detailsDto && value.details !== undefined) {
    errors.push(...collectErrors(detailsDto, value.details, 'details').fields);
  }
  errors.push(...crossFieldErrors(value, errors));
  const manifest = parseManifest((body as { manifest?: unknown } | null)?.manifest);
  errors.push(...manifest.errors);
  if (errors.length > 0) throw DomainError.validation(errors);
  const details = { ...value.details };
  const request = {
    type: value.type,
    destinationCountry: value.destinationCountry.toUpperCase(),
    departureDate: value.departureDate,
    // A permanent move (a departure abroad without a return) carries no returnDate at all.
    ...(value.returnDate ? { returnDate: value.returnDate } : {}),
    purpose: value.purpose.trim(),
    counterparties: (value.counterparties ?? []).map((c) => ({
      name: c.name.trim(),
      country: c.country.toUpperCase(),
      ...(c.contactEmail ? { contactEmail: c.contactEmail.toLowerCase() } : {}),
    })),
    technologyAreas: value.technologyAreas,
    dataCategories: value.dataCategories,
    details,
    ...(manifest.manifest ? { manifest: manifest.manifest } : {}),
  } as unknown as RequestInput;
  return { request, value };
}

export class DecisionDto {
  @ApiProperty({ enum: ['hr', 'legal', 'security', 'data_governance'] })
  @IsIn(['hr', 'legal', 'security', 'data_governance'], {
    message: 'party must be one of: hr, legal, security, data_governance',
  })
  party!: 'hr' | 'legal' | 'security' | 'data_governance';

  @ApiProperty({ enum: ['approve', 'reject', 'request_changes'] })
  @IsIn(['approve', 'reject', 'request_changes'], {
    message: 'decision must be one of: approve, reject, request_changes',
  })
  decision!: 'approve' | 'reject' | 'request_changes';

  @ApiPropertyOptional({ description: 'Required for reject (the reason) and request_changes' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  comment?: string;

  @ApiPropertyOptional({ type: [String], example: ['clean laptop only'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(500, { each: true })
  conditions?: string[];

  @ApiPropertyOptional({
    description:
      'The round of the request the decision was made on (the view shows it); a decision on a round an amendment has since replaced is refused with 409 ROUND_CHANGED. Default: the current round.',
    example: 1,
  })
  @IsOptional()
  @IsInt({ message: 'round must be a whole number' })
  @Min(1, { message: 'round must be 1 or more' })
  round?: number;
}

export class WithdrawDto {
  @ApiPropertyOptional({
    description: 'Why the request is withdrawn; the approvers already asked are told',
    maxLength: 2000,
  })
  @IsOptional()
  @IsString({ message: 'reason must be text' })
  @MaxLength(2000, { message: 'reason must be at most 2000 characters' })
  reason?: string;
}

export class ListQueryDto {
  @IsOptional()
  @IsIn([...REQUEST_STATUSES])
  status?: string;

  @IsOptional()
  @IsIn(REQUEST_TYPES)
  type?: string;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'mine must be true or false' })
  mine?: string;

  @IsOptional()
  @Matches(/^\d+$/, { message: 'limit must be a whole number from 1 to 100' })
  limit?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  /** Free text: part of the id, requester, destination, type, status, purpose, counterparties or details. */
  @IsOptional()
  @IsString({ message: 'q must be given once' })
  @MaxLength(200)
  q?: string;

  /** Part of the requester's email. */
  @IsOptional()
  @IsString({ message: 'requester must be given once' })
  @MaxLength(254)
  requester?: string;

  @IsOptional()
  @Matches(/^[A-Za-z]{2}$/, { message: 'destination must be a two-letter country code' })
  destination?: string;

  /** Created on or after this day (YYYY-MM-DD, UTC). */
  @IsOptional()
  @IsCalendarDate({ message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Created on or before this day (YYYY-MM-DD, UTC). */
  @IsOptional()
  @IsCalendarDate({ message: 'to must be a date YYYY-MM-DD' })
  to?: string;
}

/** An admin's assignment of a reviewer to a party of one request (POST /api/requests/:id/reviewers). */
export class AssignReviewerDto {
  @ApiProperty({ enum: ['hr', 'legal', 'security', 'data_governance'] })
  @IsIn(['hr', 'legal', 'security', 'data_governance'], {
    message: 'party must be one of: hr, legal, security, data_governance',
  })
  party!: 'hr' | 'legal' | 'security' | 'data_governance';

  @ApiProperty({ example: 'dave@example.com', description: 'A person in the directory, not conflicted' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}
