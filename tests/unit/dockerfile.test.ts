/** The Dockerfile's promises, read from the file itself (its runtime stage is replayed for real by tests/integration/image). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assembleRuntime } from '../../scripts/image/assemble-runtime';
import { execForm, parseDockerfile } from '../../scripts/image/dockerfile';
import { CLICKHOUSE_MIGRATIONS, POSTGRES_MIGRATIONS } from '../../scripts/lib/migrations';

const stages = parseDockerfile('Dockerfile');
const runtime = stages.at(-1)!;
const runs = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, on a pinned Node image', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    expect(arg).toMatch(/^node:\d+\.\d+-[a-z]+-slim$/);
    const build = stages[0]!.instructions.map((i) => i.rest).join('\n');
    expect(build).toMatch(/npm run typecheck && npm run build/);
  });

  it('installs production dependencies only, without install scripts, and takes only dist/ from the build', () => {
    const install = runs('RUN').map((i) => i.rest);
    expect(install.join('\n')).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(
      runs('COPY')
        .filter((c) => c.flags.from)
        .map((c) => [c.flags.from, c.rest]),
    ).toEqual([['build', '/app/dist ./dist']]);
  });

  it('carries the SQL the migration runner reads (the k8s migration Job and initContainers), where it reads it', () => {
    const copied = runs('COPY')
      .filter((c) => !c.flags.from)
      .map((c) => c.rest);
    for (const dir of [POSTGRES_MIGRATIONS, CLICKHOUSE_MIGRATIONS]) expect(copied).toContain(`${dir} ./${dir}`);
  });

  it('runs as the unprivileged node user, compiled JavaScript, no tsx', () => {
    expect(runs('USER').map((u) => u.rest)).toEqual(['node']);
    const cmd = execForm(runs('CMD')[0]!);
    expect(cmd).toEqual(['node', '--enable-source-maps', 'dist/workers/api.js']);
    expect(runs('ENV').map((e) => e.rest)).toContain('NODE_ENV=production');
  });

  it('the replay refuses an instruction it cannot reproduce, so the Dockerfile stays replayable', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pasar-dockerfile-'));
    try {
      const file = path.join(dir, 'Dockerfile');
      writeFileSync(file, 'FROM node:20 AS runtime\nWORKDIR /app\nADD https://example.com/x.tgz ./\n');
      expect(() =>
        assembleRuntime({
          context: dir,
          target: path.join(dir, 'out'),
          layerCache: path.join(dir, 'cache'),
          dockerfile: file,
        }),
      ).toThrow(/line 3: ADD cannot be replayed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
