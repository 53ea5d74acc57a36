/**
 * The unit project's global setup: what every workflow test file would otherwise do for itself.
 * The time-skipping test server is provisioned once (a fresh machine fetches it from Maven Central)
 * and the app's workflows are bundled once from the tree, for the whole run, into a temporary
 * file each file's workers load (tests/support/time-skipping.ts); unit-global-teardown.ts removes it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { ensureTimeSkippingServer, SHARED_BUNDLE_ENV, WORKFLOWS_PATH } from './time-skipping';

export default async function unitGlobalSetup(): Promise<void> {
  ensureTimeSkippingServer();
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'pasar-workflows-')), 'workflow-bundle.js');
  writeFileSync(file, code);
  // Read by the test files: jest's workers (or the one in-band process) start with this environment.
  process.env[SHARED_BUNDLE_ENV] = file;
}
