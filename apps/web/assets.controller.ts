import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../api/auth/auth.decorators';
import { ASSETS_DIR } from './views';

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** Files the pages load: our own, plus Chart.js from its package (no CDN: it works offline). */
const FILES: Record<string, string> = {
  ...Object.fromEntries(fs.readdirSync(ASSETS_DIR).map((file) => [file, path.join(ASSETS_DIR, file)])),
  'chart.umd.min.js': path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
};

/** Static files of the pages: public (they hold no data), cached for an hour. */
@ApiExcludeController()
@Public()
@Controller('app/assets')
export class AssetsController {
  @Get(':file')
  file(@Param('file') file: string, @Res() res: Response): void {
    const location = Object.hasOwn(FILES, file) ? FILES[file] : undefined;
    if (!location) throw new NotFoundException();
    res
      .status(200)
      .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
      .setHeader('Cache-Control', 'public, max-age=3600')
      .send(fs.readFileSync(location));
  }
}
