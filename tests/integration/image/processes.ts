/**
 * Runs the production image's processes without Docker: the Dockerfile's runtime stage replayed
 * into a directory (scripts/image/assemble-runtime.ts), each process started from compiled
 * JavaScript in it, with the image's ENV (NODE_ENV=production) and real, non-default secrets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { kill } from '../../support/worker-process';

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });

/** Secrets a production process insists on (platform/config.ts refuses the local defaults). */
export function productionSecrets(adminEmail: string, adminPassword: string) {
  const secret = () => randomBytes(24).toString('base64url');
  return {
    JWT_SECRET: secret(),
    INTERNAL_JWT_SECRET: secret(),
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: adminPassword,
    PAYMENT_WEBHOOK_SECRET: `whsec_${secret()}`,
    PAYMENT_GATEWAY_API_KEY: `sk_test_${secret()}`,
    PAYMENT_GATEWAY_SERVER_KEY: `SB-Mid-server-${secret()}`,
    CARRIER_API_KEY: `carrier_${secret()}`,
    CARRIER_WEBHOOK_SECRET: `carrier_whsec_${secret()}`,
  };
}

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Resident memory (VmRSS) in MiB, from /proc. */
  rssMiB(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `command` in `cwd` and resolves once its output matches `readyLine`. */
export function startProcess(
  command: string[],
  options: { cwd: string; env: Record<string, string>; readyLine: RegExp; timeoutMs?: number },
): Promise<RunningProcess> {
  const [bin, ...args] = command;
  const child = spawn(bin!, args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env } });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running: RunningProcess = {
    child,
    output: () => output,
    rssMiB: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill(child);
      reject(new Error(`${command.join(' ')} never logged ${options.readyLine}: ${output.slice(-2000)}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.readyLine.test(output)) {
        clearTimeout(timer);
        resolve(running);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command.join(' ')} exited with ${code}: ${output.slice(-2000)}`));
    });
  });
}
