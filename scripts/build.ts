/**
 * `npm run build`: compiles every process entry point (workers/*.ts) and the migration runner to
 * JavaScript under dist/, and prebuilds the Temporal workflow bundle (dist/workflow-bundle.js)
 * so a production worker starts without webpack. The image runs `node dist/workers/<x>.js`.
 *
 * esbuild, not tsc: the code imports relative modules without extensions (tsx and the "Bundler"
 * resolution allow it), which Node's ESM loader refuses; bundling each entry with its own
 * modules resolves them once at build time. Packages stay external, so node_modules (production
 * dependencies only) is resolved at run time exactly as under tsx. Types are checked by `tsc`
 * (the Dockerfile runs it before this).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_FILE, WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES } from '../workers/worker';

const root = process.cwd();
const outdir = path.join(root, 'dist');

/**
 * Modules an entry imports first so that they run before its other imports load (tracing patches
 * the Kafka, Postgres, Redis and HTTP clients). Inlined into a bundle, esbuild would hoist the
 * package imports above them. So they, and every module they import (the tracing state, the
 * config), are compiled as files of their own, imported as such by everything else: they keep
 * their place in the import order and exist once per process, as under tsx.
 */
const LOAD_FIRST = ['platform/telemetry/register.ts'].filter((f) => existsSync(path.join(root, f)));

/** Every file in workers/ is built as an entry; a library module built alone runs nothing. */
async function entryPoints() {
  const workers = (await readdir(path.join(root, 'workers'))).filter((f) => f.endsWith('.ts'));
  return [...workers.map((f) => `workers/${f}`), 'scripts/migrate.ts'];
}

/** LOAD_FIRST modules and every source file they import, repository-relative. */
async function loadFirstClosure(): Promise<Set<string>> {
  if (LOAD_FIRST.length === 0) return new Set();
  const { metafile } = await build({
    entryPoints: LOAD_FIRST,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir,
  });
  return new Set(Object.keys(metafile.inputs).filter((f) => f.endsWith('.ts')));
}

const jsPath = (source: string) => path.join(outdir, source.replace(/\.ts$/, '.js'));

/** Imports of a module in `shared` become imports of its compiled file, relative to `outfile`. */
function sharedAsFiles(shared: Set<string>, self: string, outfile: string): Plugin {
  return {
    name: 'shared-modules-as-files',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const base = path.relative(root, path.resolve(args.resolveDir, args.path));
        const target = [base, `${base}.ts`, `${base}/index.ts`].find((f) => shared.has(f) && f !== self);
        if (!target || args.kind === 'entry-point') return undefined;
        const relative = path.relative(path.dirname(outfile), jsPath(target));
        return { path: relative.startsWith('.') ? relative : `./${relative}`, external: true };
      });
    },
  };
}

async function compile(source: string, shared: Set<string>) {
  const outfile = jsPath(source);
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [sharedAsFiles(shared, source, outfile)],
  });
}

/**
 * The OpenTelemetry plugin adds its workflow interceptors at bundle time, which a prebuilt bundle
 * has passed: bake them in, so a traced worker's workflow spans join the trace.
 */
function tracingWorkflowInterceptors(): string[] {
  try {
    return [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
  } catch {
    return [];
  }
}

async function prebuildWorkflowBundle() {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES, ...tracingWorkflowInterceptors()],
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  await writeFile(path.join(outdir, WORKFLOW_BUNDLE_FILE), code);
  return code.length;
}

const started = Date.now();
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const entries = await entryPoints();
const shared = await loadFirstClosure();
await Promise.all([...shared, ...entries].map((source) => compile(source, shared)));
const bundleBytes = await prebuildWorkflowBundle();
// Node reads dist/*.js as ESM only if the nearest package.json says so; the runtime image copies
// the root package.json, but dist/ must also run where it is copied alone.
await writeFile(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
console.log(
  `[build] ${entries.length} entry points and ${shared.size} load-first modules → dist/, workflow bundle ${(bundleBytes / 1024).toFixed(0)} KiB, ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s`,
);
