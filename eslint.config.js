// Lint rules, including the architecture's: only platform/config.ts reads process.env, and
// workflow code stays deterministic (no I/O modules, no activity implementations, no clocks).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', 'dist/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through platform/config.ts.' },
      ],
    },
  },
  {
    files: ['platform/config.ts', 'prisma.config.ts', 'scripts/**', 'tests/**', '*.config.*'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Tests read JSON replies loosely; the assertions are what type them.
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // typescript-eslint's version of the rule, because only it can tell `import type` (erased
      // at compile time, so nothing runs in the workflow sandbox) from a value import. The old
      // base-rule pattern `['../activities/*', '!../activities/*']` negated itself and never fired.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activity types only (import type); activities run in the worker.',
            },
            {
              group: [
                'node:*',
                'fs',
                'fs/*',
                'path',
                'crypto',
                'http',
                'https',
                'net',
                'dns',
                'os',
                'child_process',
                'worker_threads',
              ],
              message: 'Workflows do no I/O.',
            },
            { group: ['**/platform/**', '**/services/**'], message: 'Workflows call services through activities.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          // Temporal makes it deterministic, but ids made with it read as random to reviewers.
          message: 'Use uuid4() from @temporalio/workflow.',
        },
      ],
    },
  },
);
