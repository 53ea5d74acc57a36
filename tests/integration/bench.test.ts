/**
 * `npm run bench -- --quick` as CI runs it: against this test server and its worker, every
 * part reports, and the invariants (no oversell, no double charge, no reservation left) held.
 * Nothing here asserts on time: the figures are for the record, not for a test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PARTS } from '../../scripts/bench/parts/names';
import { useServer } from '../support/server';

// Every part, several with consumer groups to join or a worker to bundle: minutes, not seconds.
jest.setTimeout(900_000);

function runBench(base: string, taskQueue: string, out: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', ['run', 'bench', '--', '--quick', '--base', base, '--out', out], {
      env: { ...process.env, TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run bench -- --quick', () => {
  const server = useServer({ worker: true });

  it('reports every part with its ratios and finds every invariant held', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'pasar-bench-')), 'results.json');
    const { code, output } = await runBench(server().base, server().config.temporal.taskQueue, out);
    if (code !== 0) throw new Error(`npm run bench exited ${code}:\n${output}`);

    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results).toMatchObject({ quick: true, ok: true });
    expect(Object.keys(results.parts).sort()).toEqual([...PARTS].sort());
    for (const name of PARTS) {
      const part = results.parts[name];
      expect({ name, error: part.error }).toEqual({ name, error: undefined });
      if (part.skipped) continue;
      expect(part.ratios.length + Object.keys(part.figures).length).toBeGreaterThan(0);
      for (const r of part.ratios) expect(r.baseline).toBeGreaterThan(0);
    }
    for (const name of ['checkout', 'latency', 'flash_sale']) {
      expect({ name, ...results.parts[name].invariants }).toEqual({
        name,
        no_oversell: true,
        no_double_charge: true,
        no_reservation_left: true,
        problems: [],
      });
    }
    expect(results.parts.flash_sale.figures).toMatchObject({ paid: 4, refused: 36 });
  });
});
