/** The real entry points start, serve, and stop cleanly on SIGTERM (what Kubernetes sends). */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { REGISTERED_CONSUMERS } from '../../workers/consumer-registry';
import { unique } from '../support/deps';
import { waitFor } from '../support/shop';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Starts an entry point, waits for a log line, sends SIGTERM, and resolves with its exit code and output. */
function runUntilStopped(
  entry: string,
  env: Record<string, string>,
  readyLine: RegExp,
  onReady?: () => Promise<void>,
  // A bound on a hang, not a pace: a cold start (tsx compiling, the worker bundling its workflows)
  // late in a full CI run on a busy 2-core machine once took longer than 45 s.
  timeoutMs = 150_000,
) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn('node', ['--import', 'tsx', entry], { env: { ...process.env, ...env } });
    let output = '';
    let signalled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      const where = signalled
        ? `logged ${readyLine} but was not ready and stopped in time`
        : `never logged ${readyLine}`;
      reject(new Error(`${entry} ${where}: ${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = async (chunk: Buffer) => {
      output += chunk.toString();
      if (!signalled && readyLine.test(output)) {
        signalled = true;
        await onReady?.();
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('process entry points', () => {
  jest.setTimeout(180_000);
  it('the API serves /healthz, then drains and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    let health = 0;
    const { code, output } = await runUntilStopped(
      'workers/api.ts',
      { API_PORT: String(port), API_METRICS_PORT: String(await freePort()) },
      /api listening/,
      async () => {
        health = (await fetch(`http://127.0.0.1:${port}/healthz`)).status;
      },
    );
    expect(health).toBe(200);
    expect(code).toBe(0);
    expect(output).toContain('api stopped');
  });

  it('the Temporal worker polls, then shuts down and exits 0 on SIGTERM', async () => {
    const { code, output } = await runUntilStopped(
      'workers/temporal-worker.ts',
      { TEMPORAL_TASK_QUEUE: unique('proc-test'), LOG_LEVEL: 'info', RECONCILE_SCHEDULE: 'off' },
      /worker polling/,
    );
    expect(code).toBe(0);
    expect(output).toContain('worker stopped');
  });

  it('the consumers process joins its groups, becomes ready, then commits and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    let health = 0;
    let ready: { status?: string; consumers?: Record<string, { state: string }> } = {};
    const { code, output } = await runUntilStopped(
      'workers/consumers.ts',
      { CONSUMERS_HEALTH_PORT: String(port), LOG_LEVEL: 'info' },
      /health server listening/,
      async () => {
        // 'consumers running' comes before the health server binds; ask until it answers.
        health = await waitFor('the consumers health server', async () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.status,
            () => 0,
          ),
        );
        // Ready once Kafka and what the consumers use answer and every consumer has joined its group.
        // On a fresh broker the first joins of four groups wait for the group coordinator.
        await waitFor(
          'the consumers process to be ready',
          async () => {
            const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
            ready = ((await res?.json()) ?? {}) as typeof ready;
            return res?.status === 200;
          },
          80_000,
        );
      },
      150_000,
    );
    expect(health).toBe(200);
    expect(ready.status).toBe('ready');
    expect(Object.keys(ready.consumers ?? {}).sort()).toEqual(REGISTERED_CONSUMERS.map((c) => c.name).sort());
    expect(code).toBe(0);
    expect(output).toContain('consumers stopped');
  }, 180_000);
});
