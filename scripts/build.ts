/**
 * `npm run build`: compiles every process entry point (workers/*.ts) and the migration runner to
 * JavaScript under dist/, and prebuilds the Temporal workflow bundle (dist/workflow-bundle.js)
 * so a production worker starts without webpack. The image runs `node dist/workers/<x>.js`.
 *
 * esbuild, not tsc: the code imports relative modules without extensions (tsx and the "Bundler"
 * resolution allow it), which Node's ESM loader refuses; bundling each entry with its own
 * modules resolves them once at build time. Packages stay external, so node_modules (production
 * dependencies only) is resolved at run time exactly as under tsx. Types are checked by `tsc`.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_FILE, WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES } from '../workers/worker';

const root = process.cwd();
const outdir = path.join(root, 'dist');

/** Every file in workers/ is built as an entry; a library module built alone runs nothing. */
async function entryPoints() {
  const workers = (await readdir(path.join(root, 'workers'))).filter((f) => f.endsWith('.ts'));
  return [...workers.map((f) => `workers/${f}`), 'scripts/migrate.ts'];
}

async function compileEntryPoints(entries: string[]) {
  await build({
    entryPoints: entries,
    outdir,
    outbase: root,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Shared modules go to chunks once instead of a copy per entry point.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
}

async function prebuildWorkflowBundle() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  await writeFile(path.join(outdir, WORKFLOW_BUNDLE_FILE), code);
  return code.length;
}

const started = Date.now();
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const entries = await entryPoints();
await compileEntryPoints(entries);
const bundleBytes = await prebuildWorkflowBundle();
// Node reads dist/*.js as ESM only if the nearest package.json says so; the runtime image copies
// the root package.json, but dist/ must also run where it is copied alone.
await writeFile(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
console.log(
  `[build] ${entries.length} entry points → dist/, workflow bundle ${(bundleBytes / 1024).toFixed(0)} KiB, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s`,
);
