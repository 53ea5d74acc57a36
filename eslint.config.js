// Lint rules, including the architecture's: only platform/config.ts reads process.env, workflow
// code stays deterministic (no I/O modules, no activity implementations, no clocks), and imports
// only run down the floors: contracts/ (the outside world's formats) and platform/ at the bottom,
// then services/, activities/ and simulators/, then api/, then workers/ and scripts/ on top.
import tseslint from 'typescript-eslint';

/** Import specifiers that climb to one of our top-level folders, e.g. '../../services/orders/store'. */
const above = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
const upward = (folders, message) => ({ regex: above(...folders), caseSensitive: true, message });

/** A folder's import rule: typescript-eslint's version, which alone can tell `import type` from a value import. */
const imports = (...patterns) => ({
  'no-restricted-imports': 'off',
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

// One list per floor; a file matched by two blocks gets the later block's list only, so each list is whole.
const ALL_OURS = ['platform', 'services', 'api', 'activities', 'workflows', 'workers', 'simulators', 'scripts'];
const ABOVE_PLATFORM = ['services', 'api', 'activities', 'workflows', 'workers', 'simulators', 'scripts'];
const ABOVE_SERVICES = ['api', 'activities', 'workers', 'simulators', 'scripts'];

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
    // The ground floor: formats and schemes set by parties outside Pasar; they import nothing of ours.
    files: ['contracts/**/*.ts'],
    rules: imports(
      upward([...ALL_OURS, 'generated'], 'contracts/ imports nothing of ours: everything else imports it.'),
    ),
  },
  {
    files: ['platform/**/*.ts'],
    rules: imports(
      upward(ABOVE_PLATFORM, 'platform/ is the floor under every service: it imports no service, route or process.'),
    ),
  },
  {
    files: ['services/**/*.ts'],
    rules: imports(
      upward(ABOVE_SERVICES, 'Services are called by routes, activities and workers, never the other way round.'),
    ),
  },
  {
    files: ['activities/**/*.ts'],
    rules: imports(
      upward(
        ['api', 'workers', 'simulators', 'scripts'],
        'Activities call services; routes and processes call activities.',
      ),
    ),
  },
  {
    files: ['api/**/*.ts'],
    rules: imports(
      upward(
        ['simulators', 'workers', 'activities', 'scripts'],
        'Routes run in production: no simulator, process entry or activity (test cards and formats are in contracts/).',
      ),
    ),
  },
  {
    // The outside world's stand-ins speak to Pasar only through the documented contracts.
    files: ['simulators/**/*.ts'],
    rules: imports(upward([...ALL_OURS, 'generated'], 'A simulator knows only contracts/ (and its own files).')),
  },
  {
    // A simulator's process entry reads its settings through the one config module (process.env rule above).
    files: ['simulators/*/server.ts'],
    rules: imports(
      upward(
        [...ALL_OURS.map((f) => (f === 'platform' ? 'platform(?!/config$)' : f)), 'generated'],
        'A simulator knows only contracts/ (and its own files); its process entry may read platform/config.',
      ),
    ),
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
              ...upward(
                ['activities'],
                'Workflows import activity types only (import type); activities run in the worker.',
              ),
              allowTypeImports: true,
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
            upward(
              ['platform', 'services', 'api', 'workers', 'simulators', 'scripts', 'generated'],
              'Workflows call services through activities.',
            ),
            // contracts/ is theirs too, but the signature schemes compute HMACs with node:crypto.
            upward(['contracts/webhook-signature'], 'Workflows do no I/O: webhook signatures are checked at the edge.'),
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
