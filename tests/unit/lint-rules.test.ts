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
