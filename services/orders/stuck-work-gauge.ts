/**
 * The stuck-work report (stuck-work.ts) as a gauge, so an alert fires when a saga
 * sits in one step too long instead of waiting for an operator to run `npm run stuck`:
 * `pasar_stuck_work{kind, step}` counts the items by kind and, for checkouts, the step they sit in.
 * The report reads Temporal visibility and Postgres, so a scrape reuses a result up to a minute old.
 */
import { gauge } from '../../platform/metrics/registry';
import type { StuckItem, StuckThresholds } from './stuck-work';

/**
 * One report a minute at most: it lists running and failed sagas from Temporal visibility (up to
 * 200 each) and reads Postgres, ~50 ms of CPU here and about as much in the Temporal server
 * (measured with ~200 items listed), so every 10 s it cost an idle shop ~10 ms of CPU a second.
 * Its alerts wait 5 minutes (SagaStuck, StuckWorkUnreadable): a minute-old report changes no verdict.
 */
const REUSE_MS = 60_000;
const READ_TIMEOUT_MS = 5000;

export function registerStuckWorkMetrics(
  report: { run(t: StuckThresholds): Promise<StuckItem[]> },
  t: StuckThresholds,
) {
  let last: { at: number; items: Promise<StuckItem[] | undefined> } | undefined;
  const read = () => {
    if (!last || Date.now() - last.at > REUSE_MS) {
      const timeout = new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), READ_TIMEOUT_MS).unref(),
      );
      last = { at: Date.now(), items: Promise.race([report.run(t).catch(() => undefined), timeout]) };
    }
    return last.items;
  };
  gauge({
    name: 'pasar_stuck_work_up',
    help: '1 when the last stuck-work report (Temporal visibility, Postgres) could be read',
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  gauge({
    name: 'pasar_stuck_work',
    help: 'Sagas and records sitting in one step too long (npm run stuck), by kind and saga step',
    labelNames: ['kind', 'step'],
    async collect() {
      const items = await read();
      if (!items) return; // keep the last values: a read failure is what pasar_stuck_work_up says
      this.reset();
      for (const item of items) {
        const step = typeof item.detail.step === 'string' ? item.detail.step : 'none';
        this.inc({ kind: item.kind, step });
      }
    },
  });
}
