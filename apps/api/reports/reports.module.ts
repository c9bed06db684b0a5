import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OperationalStatsRepository, ReportsRepository } from '@libs/persistence';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** GET /api/reports/*: its repositories read through the DataSource AppModule exports (it is global). */
@Module({
  controllers: [ReportsController],
  providers: [
    ReportsService,
    ...[ReportsRepository, OperationalStatsRepository].map((Repo) => ({
      provide: Repo,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new Repo(dataSource),
    })),
  ],
})
export class ReportsModule {}
