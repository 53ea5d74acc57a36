/** Load shapes for the benchmarks: closed loop (N callers back to back) and open loop (fixed arrival rate). */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (0-100) of some samples; 0 for none. */
export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0;

/** `concurrency` callers repeat `call` for `seconds`; returns completed calls per second. */
export async function closedLoopRate(call: () => Promise<unknown>, concurrency: number, seconds: number) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await call();
        done++;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

/**
 * Open loop: starts `call(i)` every 1/rate seconds for `seconds`, whether or not earlier calls
 * finished (a queue builds up when the system is slower than the arrivals, as in production);
 * returns each call's latency in ms.
 */
export async function openLoopLatencies(call: (i: number) => Promise<unknown>, ratePerSecond: number, seconds: number) {
  const total = Math.max(1, Math.round(ratePerSecond * seconds));
  const gapMs = 1000 / ratePerSecond;
  const t0 = performance.now();
  const inflight: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + i * gapMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(
      (async () => {
        const started = performance.now();
        await call(i);
        return performance.now() - started;
      })(),
    );
  }
  return Promise.all(inflight);
}

/** Closed loop over a fixed list of jobs, `concurrency` at a time; returns elapsed seconds. */
export async function runPool<T>(jobs: T[], concurrency: number, run: (job: T) => Promise<void>) {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) await run(jobs[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

export const round = (x: number, digits = 2) => Number(x.toFixed(digits));
