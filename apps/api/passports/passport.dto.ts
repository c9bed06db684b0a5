import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsEmail, IsISO31661Alpha2, IsUUID, Matches, MaxLength } from 'class-validator';
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

export class HandOutPassportDto {
  @ApiProperty({ description: 'the approved passport_release request the passport is handed out for' })
  @IsUUID('all', { message: 'requestId must be the id of the approved passport release request' })
  requestId!: string;

  @ApiProperty({ example: true, description: "must be true: the holder's identity was checked against the passport" })
  @Equals(true, {
    message: "identityChecked must be true: check the holder's identity before handing the passport out",
  })
  identityChecked!: true;
}
