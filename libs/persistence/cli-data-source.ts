import { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { dataSourceOptions } from './data-source';

/** For the TypeORM CLI: `npx typeorm migration:run -d dist/libs/persistence/cli-data-source.js`. */
export const dataSource = new DataSource(dataSourceOptions(loadConfig().database));
