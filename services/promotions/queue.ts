/**
 * At most `size` claims of one process at work at once; the rest wait here, in memory, in order.
 * A rush (1,000 shoppers on one voucher) would otherwise take every pooled Postgres connection
 * (20) and starve the rest of the process, and queue past the pool's connect timeout. Waiting here
 * also makes the losers quick: a claim starts with an unlocked read of the voucher, so once the
 * winners have used it up, each waiting claim is refused with one query and no transaction.
 */
export function createWorkQueue(size: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(work: () => Promise<T>): Promise<T> {
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
