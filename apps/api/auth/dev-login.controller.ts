import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { validateBody } from '../common/validate-body';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';

export class DevLoginDto {
  @ApiProperty({ example: 'alice@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

/** Dev mode only (not registered in production, so the route answers 404 there). */
@ApiTags('auth')
@Controller('api/auth')
export class DevLoginController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('dev-login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Dev mode: a bearer token for a seeded person' })
  async login(@Body() body: unknown) {
    const dto = validateBody(DevLoginDto, body);
    return this.auth.devLogin(dto.email);
  }
}
