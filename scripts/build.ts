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
 *
 * `--incremental` (what `npm start` runs before every start): dist/ is kept, the entries are
 * compiled again (esbuild: a quarter of a second for all of them), and the workflow bundle (webpack,
 * the slow part) is made again only when what goes into it changed: every source file reachable from
 * workflows/index.ts, the interceptor modules, the installed packages (the lockfiles) and this
 * script. Their hash is kept beside the bundle; an equal hash leaves the bundle as it is. The
 * Temporal worker package is loaded only when the bundle is made, so an unchanged tree builds in
 * about a second. Without the flag, dist/ is emptied first and everything made (the image's build).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { WORKFLOW_BUNDLE_FILE, WORKFLOWS_PATH, WORKFLOW_INTERCEPTOR_MODULES } from '../workers/workflow-bundle';

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

const bundleFile = path.join(outdir, WORKFLOW_BUNDLE_FILE);
const bundleKeyFile = `${bundleFile}.key`;

/** What the workflow bundle is made of, hashed: equal hashes make equal bundles. */
async function workflowBundleKey(interceptors: string[]): Promise<string> {
  const { metafile } = await build({
    entryPoints: [WORKFLOWS_PATH, ...WORKFLOW_INTERCEPTOR_MODULES],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir,
    logLevel: 'silent',
  });
  const files = [
    ...Object.keys(metafile.inputs),
    'package-lock.json',
    'node_modules/.package-lock.json',
    path.relative(root, fileURLToPath(import.meta.url)),
  ].sort();
  const hash = createHash('sha256').update(JSON.stringify(interceptors));
  for (const file of files) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.resolve(root, file)).catch(() => Buffer.from('(absent)')));
  }
  return hash.digest('hex');
}

/** Makes the bundle unless `incremental` and the one in dist/ was made of the same inputs; returns its size or `reused`. */
async function prebuildWorkflowBundle(incremental: boolean): Promise<number | 'reused'> {
  const interceptors = [...WORKFLOW_INTERCEPTOR_MODULES, ...tracingWorkflowInterceptors()];
  const key = await workflowBundleKey(interceptors);
  if (incremental && existsSync(bundleFile) && (await readFile(bundleKeyFile, 'utf8').catch(() => '')) === key) {
    return 'reused';
  }
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: interceptors,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  // Renamed into place: a worker starting meanwhile reads the old bundle or the new one, never half of one.
  const partial = `${bundleFile}.${process.pid}.tmp`;
  await writeFile(partial, code);
  await rename(partial, bundleFile);
  await writeFile(bundleKeyFile, key);
  return code.length;
}

const incremental = process.argv.includes('--incremental');
const started = Date.now();
if (!incremental) await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const entries = await entryPoints();
const shared = await loadFirstClosure();
await Promise.all([...shared, ...entries].map((source) => compile(source, shared)));
const compiledAt = Date.now();
const bundle = await prebuildWorkflowBundle(incremental);
// Node reads dist/*.js as ESM only if the nearest package.json says so; the runtime image copies
// the root package.json, but dist/ must also run where it is copied alone.
await writeFile(path.join(outdir, 'package.json'), '{ "type": "module" }\n');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `[build] ${entries.length} entry points and ${shared.size} load-first modules → dist/ (${seconds(compiledAt - started)}), ` +
    `workflow bundle ${bundle === 'reused' ? 'unchanged, kept' : `${(bundle / 1024).toFixed(0)} KiB`} (${seconds(Date.now() - compiledAt)})`,
);
