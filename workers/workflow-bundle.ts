/**
 * Where the workflow code is and where `npm run build` puts its prebuilt bundle: kept apart from
 * worker.ts (which loads the Temporal worker, the activities and every store) so the build can
 * read them without loading all that.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const WORKFLOWS_PATH = path.resolve(process.cwd(), 'workflows/index.ts');
/**
 * Workflow interceptor modules of our own baked into the prebuilt bundle by `npm run build` (the SDK
 * ignores `interceptors.workflowModules` when given a bundle); the build adds OpenTelemetry's itself.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [];
/** The prebuilt workflow bundle, written by `npm run build` beside the compiled entry points' directory. */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/**
 * The prebuilt bundle for an entry point compiled to dist/workers/ (`import.meta.url` of the
 * entry), or undefined: run as TypeScript, the worker bundles workflows/ at start. `npm start`
 * runs the compiled worker and builds at every start (scripts/start.sh), so either way the worker
 * runs the workflow code in the tree, never a stale build.
 */
export function prebuiltWorkflowBundle(entryUrl: string): string | undefined {
  const entry = new URL(entryUrl).pathname;
  if (!entry.endsWith('.js')) return undefined;
  const codePath = path.resolve(path.dirname(entry), '..', WORKFLOW_BUNDLE_FILE);
  return existsSync(codePath) ? codePath : undefined;
}
