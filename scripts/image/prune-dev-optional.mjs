/**
 * Slims the runtime stage's node_modules after `npm ci --omit=dev`, removing only what no
 * process of the image can load:
 * - packages npm keeps because they are an optional peer of a production package and a dev
 *   dependency of ours (`devOptional` in package-lock.json): the `prisma` CLI, an optional peer
 *   of @prisma/client, with its 120-odd packages (effect, react, typescript...), about 250 MB;
 * - the Temporal core bridge's prebuilt binaries for other platforms (about 110 MB): it loads
 *   only releases/<arch>-<platform>/index.node (@temporalio/core-bridge/common.js).
 * Plain JavaScript: it runs in the image's runtime stage, where there is no tsx.
 * Usage: node prune-dev-optional.mjs [appDir]
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const appDir = path.resolve(process.argv[2] ?? '.');
const modules = path.join(appDir, 'node_modules');
const lock = JSON.parse(readFileSync(path.join(appDir, 'package-lock.json'), 'utf8'));

let packages = 0;
for (const [where, entry] of Object.entries(lock.packages ?? {})) {
  if (!where || !entry.devOptional || !existsSync(path.join(appDir, where))) continue;
  rmSync(path.join(appDir, where), { recursive: true, force: true });
  packages += 1;
}

// Same naming as @temporalio/core-bridge/common.js getPrebuiltTargetName().
const arch = { x64: 'x86_64', arm64: 'aarch64' }[os.arch()];
const platform = { darwin: 'apple-darwin', linux: 'unknown-linux-gnu', win32: 'pc-windows-msvc' }[os.platform()];
const releases = path.join(modules, '@temporalio/core-bridge/releases');
const keep = `${arch}-${platform}`;
let binaries = 0;
if (existsSync(path.join(releases, keep, 'index.node'))) {
  for (const target of readdirSync(releases).filter((t) => t !== keep)) {
    rmSync(path.join(releases, target), { recursive: true, force: true });
    binaries += 1;
  }
}

// Command links into removed packages (node_modules/.bin/prisma, tsc) would dangle.
const bin = path.join(modules, '.bin');
const dangling = existsSync(bin) ? readdirSync(bin).filter((b) => !existsSync(path.join(bin, b))) : [];
for (const link of dangling) rmSync(path.join(bin, link), { force: true });

console.log(
  `[prune] removed ${packages} dev-only optional packages, ${binaries} other platforms' Temporal core binaries, ${dangling.length} dangling command links`,
);
