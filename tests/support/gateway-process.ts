/**
 * A payment-gateway simulator of a test's own, as a real child process on a free port, so a test
 * can stop, restart or wipe it without touching the stack's gateway that other tests use. With
 * `ledger: true` its records survive a restart (as the stack's do); without, a restart forgets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill } from './worker-process';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

export interface GatewayProcess {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export function useGatewayProcess(options: { ledger: boolean }): () => GatewayProcess {
  let gw: GatewayProcess | undefined;
  let dir: string | undefined;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'pasar-gateway-'));
    const env = {
      ...process.env,
      PAYMENT_GATEWAY_PORT: String(port),
      ...(options.ledger ? { PAYMENT_GATEWAY_LEDGER_FILE: join(dir, 'ledger.jsonl') } : {}),
    };
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      child = spawn('node', ['--import', 'tsx', 'simulators/payment-gateway/server.ts'], { env, stdio: 'ignore' });
      for (let i = 0; i < 200; i++) {
        if (
          await fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the test gateway did not start');
    };
    const stop = async () => {
      if (child) await kill(child, 'SIGKILL');
      child = undefined;
    };
    gw = { url, start, stop, restart: async () => (await stop(), await start()) };
    await start();
  });

  afterAll(async () => {
    await gw?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return () => {
    if (!gw) throw new Error('the gateway is only available inside tests');
    return gw;
  };
}
