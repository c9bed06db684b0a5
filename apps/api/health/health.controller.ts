import { Controller, Get, Logger, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { TemporalGateway } from '../temporal/temporal.gateway';

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref()),
  ]);
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly dataSource: DataSource,
    private readonly temporal: TemporalGateway,
  ) {}

  @Get('live')
  @ApiOperation({ summary: '200 while the process runs' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: '200 when the database and Temporal answer, 503 otherwise (up or down each, no reasons)' })
  async ready(@Res({ passthrough: true }) res: Response) {
    // Anyone may ask, so the answer says up or down only; the reason (addresses, drivers' messages) goes to the log.
    const check = async (name: string, fn: () => Promise<unknown>) =>
      within(fn(), 3000).then(
        () => ({ status: 'up' }),
        (error: Error) => {
          this.logger.warn(`readiness: ${name} is down: ${error.message}`);
          return { status: 'down' };
        },
      );
    const [database, temporal] = await Promise.all([
      check('database', () => this.dataSource.query('SELECT 1')),
      check('temporal', () => this.temporal.ping()),
    ]);
    const ok = database.status === 'up' && temporal.status === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks: { database, temporal } };
  }
}
