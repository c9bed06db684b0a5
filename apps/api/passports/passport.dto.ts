import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsISO31661Alpha2, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate } from '../common/calendar-date';

export class DepositPassportDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail({}, { message: 'employeeEmail must be an email address' })
  @MaxLength(254)
  employeeEmail!: string;

  @ApiProperty({ example: 'M12345678', description: 'stored encrypted; answered masked' })
  @Matches(/^[A-Za-z0-9]{6,20}$/, { message: 'passportNumber must be 6 to 20 letters and digits' })
  passportNumber!: string;

  @ApiProperty({ example: 'KR' })
  @IsISO31661Alpha2({ message: 'issuingCountry must be an ISO 3166-1 alpha-2 country code' })
  issuingCountry!: string;

  @ApiProperty({ example: '2031-05-31' })
  @IsCalendarDate({ explainUnreal: true })
  expiryDate!: string;
}
