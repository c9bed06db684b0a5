import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';

export class DelegationDto {
  @ApiProperty({ example: 'hr-lead@example.com' })
  @IsEmail({}, { message: 'delegateEmail must be an email address' })
  @MaxLength(254)
  delegateEmail!: string;

  @ApiProperty({ example: '2027-03-01', description: 'first day, inclusive' })
  @IsCalendarDate({ explainUnreal: true })
  from!: string;

  @ApiProperty({ example: '2027-03-14', description: 'last day, inclusive' })
  @IsCalendarDate({ explainUnreal: true })
  until!: string;
}
