import type { BundleOptions } from '@temporalio/worker';
import * as path from 'node:path';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/**
 * The workflow bundler resolves the `@libs/*` path alias the way tsc (`paths`) and jest
 * (`moduleNameMapper`) do: to the `libs/` folder beside this one, in the sources or in `dist/`.
 */
export function resolveLibsAlias(config: WebpackConfig): WebpackConfig {
  const alias = config.resolve?.alias;
  return {
    ...config,
    resolve: {
      ...config.resolve,
      alias: { ...(alias && !Array.isArray(alias) ? alias : {}), '@libs': path.resolve(__dirname, '..') },
    },
  };
}

/** Options every workflow bundle of Clearance is built with (worker, tests, audit replay, bench). */
export const WORKFLOW_BUNDLER_OPTIONS = { webpackConfigHook: resolveLibsAlias } satisfies Pick<
  BundleOptions,
  'webpackConfigHook'
>;
