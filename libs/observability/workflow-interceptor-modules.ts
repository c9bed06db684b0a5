/**
 * Workflow interceptor modules to bundle with the workflow code. Every bundling path uses this:
 * the worker (when it bundles at start), scripts/bundle-workflows.ts and the test global setup.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [require.resolve('./workflow-interceptors')];
