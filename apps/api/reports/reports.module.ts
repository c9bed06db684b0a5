import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** GET /api/reports/*: needs the DataSource AppModule exports (it is global). */
@Module({ controllers: [ReportsController], providers: [ReportsService] })
export class ReportsModule {}
