/**
 * The architecture's lint rules fire: each deliberate violation below is linted with the
 * repository's own eslint.config.js (through ESLint's Node API) and must be reported, and each
 * allowed form must not be.
 */
import { ESLint } from 'eslint';
// @ts-expect-error -- plain JavaScript without a declaration file; ESLint validates its shape.
import config from '../../eslint.config.js';

// The config is passed in rather than discovered: ESLint loads a config file with a dynamic
// import(), which jest's CommonJS runtime does not support. It is the same array either way.
const eslint = new ESLint({ cwd: process.cwd(), overrideConfigFile: true, overrideConfig: config });

/** The rule ids reported for `code` as if it lived at `filePath`. */
async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  // The base rule and typescript-eslint's extension report the same thing under two ids.
  return result.messages.map((m) => (m.ruleId ?? `fatal: ${m.message}`).replace('@typescript-eslint/', ''));
}

const WORKFLOW = 'workflows/lint-probe.ts';

describe('workflow code (workflows/**)', () => {
  it.each([
    ["import { createCheckoutActivities } from '../activities/checkout';", 'a value from an activity module'],
    ["import { createActivities } from '../activities';", 'the activities index'],
    ["import * as acts from '../activities/checkout';", 'a namespace import of activities'],
    ["export { createCheckoutActivities } from '../activities/checkout';", 'a value re-export'],
  ])('refuses %s (%s)', async (line) => {
    expect(await ruleIds(`${line}\nexport const x = 1;\n`, WORKFLOW)).toContain('no-restricted-imports');
  });

  it.each([
    "import type { CheckoutActivities } from '../activities/checkout';",
    "import { type CheckoutActivities } from '../activities/checkout';",
    "export type { CheckoutActivities } from '../activities/checkout';",
  ])('allows the type-only %s', async (line) => {
    expect(await ruleIds(`${line}\nexport type X = CheckoutActivities;\n`, WORKFLOW)).toEqual([]);
  });

  it.each([
    "import { readFileSync } from 'node:fs';",
    "import { readFile } from 'fs/promises';",
    "import { readFileSync } from 'fs';",
    "import path from 'path';",
    "import { randomUUID } from 'crypto';",
    "import http from 'http';",
    "import { execSync } from 'child_process';",
    "import { getConfig } from '../platform/config';",
    "import { createOrderStore } from '../services/orders/store';",
  ])('refuses I/O and direct service access: %s', async (line) => {
    expect(await ruleIds(`${line}\nexport const x = 1;\n`, WORKFLOW)).toContain('no-restricted-imports');
  });

  it('refuses Math.random', async () => {
    expect(await ruleIds('export const x = Math.random();\n', WORKFLOW)).toContain('no-restricted-syntax');
  });

  it('allows the Temporal SDK and sibling workflow modules', async () => {
    const code = [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { ORDER_STATUS } from './search-attributes';",
      'export const x = [proxyActivities, ORDER_STATUS];',
      '',
    ].join('\n');
    expect(await ruleIds(code, WORKFLOW)).toEqual([]);
  });

  it('leaves the same imports alone outside workflows/', async () => {
    const code =
      "import { createCheckoutActivities } from '../activities/checkout';\nexport const x = createCheckoutActivities;\n";
    expect(await ruleIds(code, 'workers/lint-probe.ts')).toEqual([]);
  });
});

describe('settings (process.env)', () => {
  it('refuses process.env outside platform/config.ts', async () => {
    expect(await ruleIds('export const p = process.env.API_PORT;\n', 'services/lint-probe.ts')).toContain(
      'no-restricted-properties',
    );
  });

  it('allows it in platform/config.ts, scripts and tests', async () => {
    for (const file of ['platform/config.ts', 'scripts/lint-probe.ts', 'tests/lint-probe.ts']) {
      expect(await ruleIds('export const p = process.env.API_PORT;\n', file)).toEqual([]);
    }
  });
});

/** Lints `import ... from '<source>'` as if it lived at `filePath`. */
const importing = (source: string, filePath: string) =>
  ruleIds(`import { x } from '${source}';\nexport const y = x;\n`, filePath);

describe('imports run down the floors', () => {
  // [file, what it may not import, what it may]
  it.each([
    [
      'contracts/lint-probe.ts',
      [
        '../platform/config',
        '../services/orders/store',
        '../api/app',
        '../workflows/shipment-contract',
        '../simulators/carrier/app',
      ],
      ['./carrier', './webhook-signature/gateway', 'node:crypto', 'zod'],
    ],
    [
      'platform/metrics/lint-probe.ts',
      [
        '../../services/orders/stuck-work',
        '../services/payments/gateway',
        '../../api/app',
        '../../activities/checkout',
        '../../workflows/checkout-contract',
        '../../workers/worker',
        '../../simulators/payment-gateway/ledger',
        '../../scripts/migrate',
      ],
      ['./registry', '../config', '../../contracts/carrier', '../../generated/prisma/client', '@opentelemetry/api'],
    ],
    [
      'services/payments/lint-probe.ts',
      ['../../api/app', '../../workers/worker', '../../simulators/payment-gateway/ledger', '../../activities/payments'],
      [
        './gateway',
        '../orders/store',
        '../../platform/config',
        '../../contracts/test-cards',
        '../../workflows/refund-contract',
      ],
    ],
    [
      'activities/lint-probe.ts',
      ['../api/app', '../workers/worker', '../simulators/carrier/state'],
      ['../services/orders/store', '../platform/errors', '../contracts/carrier', '../workflows/shipment-contract'],
    ],
    [
      'api/checkout/lint-probe.ts',
      ['../../simulators/payment-gateway/cards', '../../workers/worker', '../../activities/checkout'],
      ['../../contracts/test-cards', '../../services/orders/store', '../../workflows/checkout-contract', './schemas'],
    ],
    [
      'simulators/carrier/lint-probe.ts',
      ['../../services/shipments/carrier-client', '../../platform/config', '../../platform/logger', '../../api/app'],
      ['../../contracts/carrier', '../../contracts/webhook-signature/carrier', './state', 'node:fs', 'hono'],
    ],
    [
      'simulators/carrier/server.ts',
      ['../../platform/logger', '../../platform/clients/redis', '../../services/shipments/carrier-client'],
      ['../../platform/config', './app', '@hono/node-server'],
    ],
    [
      WORKFLOW,
      ['../contracts/webhook-signature/carrier', '../api/app', '../simulators/carrier/app', '../workers/worker'],
      ['../contracts/carrier', './shipment-contract', '@temporalio/workflow'],
    ],
  ])('%s', async (file, refused, allowed) => {
    for (const source of refused)
      expect([source, await importing(source, file)]).toEqual([source, ['no-restricted-imports']]);
    for (const source of allowed) expect([source, await importing(source, file)]).toEqual([source, []]);
  });

  it('refuses an upward export and an upward type import alike outside workflows', async () => {
    expect(await ruleIds("export { x } from '../services/orders/store';\n", 'platform/lint-probe.ts')).toContain(
      'no-restricted-imports',
    );
    const typeOnly = "import type { X } from '../../simulators/carrier/state';\nexport type Y = X;\n";
    expect(await ruleIds(typeOnly, 'api/shipments/lint-probe.ts')).toContain('no-restricted-imports');
  });

  it('leaves scripts and workers free to import any floor', async () => {
    for (const file of ['scripts/lint-probe.ts', 'workers/lint-probe.ts']) {
      expect(await importing('../simulators/payment-gateway/ledger', file)).toEqual([]);
      expect(await importing('../services/orders/store', file)).toEqual([]);
    }
  });
});
