/**
 * UTC calendar days as 'YYYY-MM-DD' strings: the dashboard's windows (today, 7 and 30 days, each
 * ending today) and the series' buckets (day, ISO week starting Monday, month). ClickHouse
 * buckets by the `day` column the consumer writes in UTC, so no server time zone is involved.
 */
export type Granularity = 'day' | 'week' | 'month';

const DAY_MS = 86_400_000;
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
export const parseDay = (day: string) => new Date(`${day}T00:00:00.000Z`);
export const addDays = (day: string, n: number) => isoDay(new Date(parseDay(day).getTime() + n * DAY_MS));
/** Days from `from` to `to`, both counted. */
export const spanDays = (from: string, to: string) =>
  Math.round((parseDay(to).getTime() - parseDay(from).getTime()) / DAY_MS) + 1;

export interface Window {
  from: string;
  to: string;
}

/** The last `days` days ending with `today` (1 = today only). */
export const lastDays = (today: string, days: number): Window => ({ from: addDays(today, 1 - days), to: today });

/** The first day of the bucket `day` falls in. */
export function bucketOf(day: string, granularity: Granularity): string {
  if (granularity === 'day') return day;
  if (granularity === 'month') return `${day.slice(0, 7)}-01`;
  const weekday = (parseDay(day).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(day, -weekday);
}

/** Every bucket start from the one holding `from` to the one holding `to`, so empty periods show as zero. */
export function bucketsBetween(from: string, to: string, granularity: Granularity): string[] {
  const out: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const b = bucketOf(day, granularity);
    if (out[out.length - 1] !== b) out.push(b);
  }
  return out;
}
