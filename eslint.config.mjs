// Lint with types, strictly (STYLE.md): floating promises, exhaustive switches, type-only imports.
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Apps read the request projection through libs/persistence repositories (RequestRepository, ReportsRepository);
// only the worker's projection activities write it, through RequestProjectionWriter.
const PROJECTION_ENTITIES = ['RequestEntity', 'ApprovalEntity', 'DecisionEntity', 'ObligationEntity'];
const noProjectionQueries = {
  group: [
    '**/libs/persistence',
    '**/libs/persistence/index',
    '**/libs/persistence/entities',
    '**/libs/persistence/entities/*',
  ],
  importNames: PROJECTION_ENTITIES,
  allowTypeImports: true,
  message:
    'query the request projection in a libs/persistence repository (RequestRepository, ReportsRepository); types are fine',
};
const noProjectionWriter = [
  {
    group: ['**/request-projection.writer'],
    message: "only the workflow writes the request projection, through the worker's projection activities",
  },
  {
    group: ['**/libs/persistence', '**/libs/persistence/index'],
    importNames: ['RequestProjectionWriter'],
    message: "only the workflow writes the request projection, through the worker's projection activities",
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Workflow code is replayed: no Node built-ins, no I/O, no wall clock.
    files: ['workflows/**/*.ts', 'libs/contracts/**/*.ts', 'libs/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process'],
              message: 'workflow code must stay deterministic: no Node built-ins',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'workflow time arrives in Update arguments' },
      ],
    },
  },
  {
    files: ['apps/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noProjectionQueries, ...noProjectionWriter] }],
    },
  },
  {
    // The worker is the writing process: it builds the writer for the projection activities.
    files: ['apps/worker/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [noProjectionQueries] }] },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The pages' own small scripts run in the browser as plain JavaScript: no type information.
    files: ['apps/web/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.browser,
      sourceType: 'script',
    },
  },
);
