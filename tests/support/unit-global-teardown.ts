/** The unit project's global teardown: removes the workflow bundle unit-global-setup.ts wrote. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { SHARED_BUNDLE_ENV } from './time-skipping';

export default function unitGlobalTeardown(): void {
  const file = process.env[SHARED_BUNDLE_ENV];
  if (file) rmSync(path.dirname(file), { recursive: true, force: true });
  delete process.env[SHARED_BUNDLE_ENV];
}
