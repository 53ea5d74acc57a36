/** Runs the real worker entry point as a child process, so a test can kill it like a crash would. */
import { spawn, type ChildProcess } from 'node:child_process';

export function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('node', ['--import', 'tsx', 'workers/temporal-worker.ts'], {
      env: { ...process.env, LOG_LEVEL: 'info', RECONCILE_SCHEDULE: 'off', ...env },
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${output.slice(-2000)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${output.slice(-2000)}`)));
  });
}

export function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
