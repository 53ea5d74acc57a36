/**
 * Replays the Dockerfile's last (runtime) stage into a directory, for machines without a Docker
 * engine: COPY from the build context or from the build stage (run in place: its WORKDIR is the
 * repository after `npm run build`), RUN in the directory with the stage's ENV, and WORKDIR, ENV,
 * USER, EXPOSE and CMD recorded. Any other instruction is refused, so the Dockerfile stays
 * replayable. Each RUN's result is cached under the key of every step before it, as Docker's
 * layer cache does, so a second replay with the same lockfile skips `npm ci`.
 *
 * `npx tsx scripts/image/assemble-runtime.ts <dir>` (after `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execForm, parseDockerfile, type Instruction } from './dockerfile';

export interface RuntimeImage {
  /** The directory standing for the image's WORKDIR. */
  dir: string;
  env: Record<string, string>;
  user?: string;
  cmd: string[];
  exposed: number[];
  /** RUN steps replayed from the layer cache rather than run. */
  cachedRuns: number;
}

export interface AssembleOptions {
  /** The build context, and where the build stage ran (the repository). */
  context: string;
  target: string;
  /** Where RUN results are kept between replays. */
  layerCache: string;
  dockerfile?: string;
}

export function assembleRuntime(options: AssembleOptions): RuntimeImage {
  const stages = parseDockerfile(options.dockerfile ?? path.join(options.context, 'Dockerfile'));
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('the Dockerfile has no stage');
  const buildStages = new Map(stages.slice(0, -1).map((s) => [s.name, workdirOf(s.instructions)]));
  rmSync(options.target, { recursive: true, force: true });
  mkdirSync(options.target, { recursive: true });

  const image: RuntimeImage = { dir: options.target, env: {}, cmd: [], exposed: [], cachedRuns: 0 };
  let workdir = '/';
  let key = createHash('sha256').update(runtime.base).digest('hex');
  const inImage = (p: string) => {
    const abs = path.posix.resolve(workdir, p);
    if (!abs.startsWith(workdirRoot(runtime.instructions))) throw new Error(`${p}: outside the WORKDIR`);
    return path.join(options.target, path.posix.relative(workdirRoot(runtime.instructions), abs));
  };

  for (const step of runtime.instructions) {
    key = createHash('sha256').update(key).update(JSON.stringify(step)).digest('hex');
    switch (step.keyword) {
      case 'WORKDIR':
        workdir = path.posix.resolve(workdir, step.rest);
        break;
      case 'ENV':
        Object.assign(image.env, parseEnv(step));
        break;
      case 'COPY': {
        const words = step.rest.split(/\s+/);
        const rawDest = words.pop()!;
        const dest = inImage(rawDest);
        const from = step.flags.from;
        const fromDir = from === undefined ? undefined : buildStages.get(from);
        if (from !== undefined && fromDir === undefined) throw new Error(`COPY --from=${from}: no such stage`);
        for (const src of words) {
          const source = fromDir
            ? path.join(options.context, path.posix.relative(fromDir, path.posix.resolve(fromDir, src)))
            : path.join(options.context, src);
          if (!existsSync(source))
            throw new Error(`Dockerfile line ${step.line}: ${source} does not exist (npm run build?)`);
          key = createHash('sha256').update(key).update(contentHash(source)).digest('hex');
          copyLikeDocker(source, dest, words.length > 1 || rawDest.endsWith('/'));
        }
        break;
      }
      case 'RUN':
        if (restoreLayer(options, key)) image.cachedRuns += 1;
        else {
          execFileSync('bash', ['-euo', 'pipefail', '-c', step.rest], {
            cwd: inImage('.'),
            env: { ...process.env, ...image.env },
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          saveLayer(options, key);
        }
        break;
      case 'USER':
        image.user = step.rest;
        break;
      case 'EXPOSE':
        image.exposed.push(...step.rest.split(/\s+/).map(Number));
        break;
      case 'CMD':
        image.cmd = execForm(step);
        break;
      default:
        throw new Error(`Dockerfile line ${step.line}: ${step.keyword} cannot be replayed without Docker`);
    }
  }
  return image;
}

function workdirOf(instructions: Instruction[]) {
  return instructions.filter((i) => i.keyword === 'WORKDIR').reduce((dir, i) => path.posix.resolve(dir, i.rest), '/');
}

/** The first WORKDIR is the image's root here; everything the stage writes must be under it. */
function workdirRoot(instructions: Instruction[]) {
  const first = instructions.find((i) => i.keyword === 'WORKDIR');
  if (!first) throw new Error('the runtime stage needs a WORKDIR');
  return path.posix.resolve('/', first.rest);
}

function parseEnv(step: Instruction): Record<string, string> {
  if (!step.rest.includes('=')) {
    const [name = '', ...value] = step.rest.split(/\s+/);
    return { [name]: value.join(' ') };
  }
  return Object.fromEntries(step.rest.split(/\s+/).map((pair) => pair.split('=', 2) as [string, string]));
}

/** A directory's contents go into the destination; a file into it if it ends in `/` or several are copied. */
function copyLikeDocker(source: string, dest: string, intoDirectory: boolean) {
  if (statSync(source).isDirectory()) {
    mkdirSync(dest, { recursive: true });
    cpSync(source, dest, { recursive: true });
  } else if (intoDirectory || (existsSync(dest) && statSync(dest).isDirectory())) {
    mkdirSync(dest, { recursive: true });
    cpSync(source, path.join(dest, path.basename(source)));
  } else {
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(source, dest);
  }
}

function contentHash(source: string): string {
  const hash = createHash('sha256');
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p).sort()) walk(path.join(p, entry));
    else hash.update(p).update(readFileSync(p));
  };
  walk(source);
  return hash.digest('hex');
}

const layerDir = (options: AssembleOptions, key: string) => path.join(options.layerCache, key.slice(0, 16));

function restoreLayer(options: AssembleOptions, key: string): boolean {
  const dir = layerDir(options, key);
  if (!existsSync(path.join(dir, '.complete'))) return false;
  rmSync(options.target, { recursive: true, force: true });
  cpSync(path.join(dir, 'fs'), options.target, { recursive: true, verbatimSymlinks: true });
  return true;
}

/** Keeps only the newest layer: a changed lockfile makes the old one useless, and it is 300 MB. */
function saveLayer(options: AssembleOptions, key: string) {
  const dir = layerDir(options, key);
  rmSync(options.layerCache, { recursive: true, force: true });
  cpSync(options.target, path.join(dir, 'fs'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
}

if (process.argv[1]?.endsWith('assemble-runtime.ts') && process.argv[2]) {
  const image = assembleRuntime({
    context: process.cwd(),
    target: path.resolve(process.argv[2]),
    layerCache: path.join(process.env.PASAR_CACHE_DIR ?? '/var/cache/pasar', 'image-layers'),
  });
  console.log(JSON.stringify(image, null, 2));
}
