import { Controller, Get, NotFoundException, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../api/auth/auth.decorators';
import { PageExceptionFilter } from './page.filter';

/**
 * Any other address under /app: a "Not found" page in the app's own look, not the API's JSON. Registered
 * last in `WebModule`, so it answers only what no page route matched.
 */
@ApiExcludeController()
@Public()
@UseFilters(PageExceptionFilter)
@Controller('app')
export class NotFoundPagesController {
  @Get('*path')
  notFound(): never {
    throw new NotFoundException();
  }
}
