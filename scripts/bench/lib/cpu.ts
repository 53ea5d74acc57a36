/**
 * CPU time from /proc, the figure machine noise moves least: the whole machine's busy time
 * (/proc/stat) and each process's own (/proc/<pid>/stat), grouped by what the process is
 * (the shop's processes by their entry file, the stack's servers by their command line).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (`getconf CLK_TCK`); 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** Busy and total CPU seconds of the whole machine since boot (all cores). */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle! + iowait!) / TICKS_PER_SECOND };
}

/** What a process is, from its command line: the shop's process kinds and the stack's servers. */
const KINDS: [RegExp, string][] = [
  [/workers\/temporal-worker\.|temporal-worker\.js/, 'worker'],
  [/workers\/api\.|dist\/workers\/api\.js/, 'api'],
  [/workers\/consumers\./, 'consumers'],
  [/workers\/outbox-relay\./, 'relay'],
  [/workers\/carrier-link\./, 'carrier link'],
  [/simulators\/payment-gateway/, 'gateway simulator'],
  [/simulators\/carrier/, 'carrier simulator'],
  [/temporal server|temporal-server|temporal-sql-tool/, 'temporal server'],
  [/kafka\.Kafka|kafka-server/, 'kafka'],
  [/org\.elasticsearch|elasticsearch/, 'elasticsearch'],
  [/clickhouse/, 'clickhouse'],
  [/^postgres|postgres:|bin\/postgres/, 'postgres'],
  [/redis-server/, 'redis'],
  [/zipkin|armeria/, 'zipkin'],
  [/prometheus/, 'prometheus'],
  [/mailpit/, 'mailpit'],
];

export const kindOf = (cmdline: string) => KINDS.find(([re]) => re.test(cmdline))?.[1];

export interface ProcessCpu {
  kind: string;
  /** CPU seconds used so far, its reaped children's included (Postgres backends end up in the postmaster's). */
  seconds: number;
}

/** Every process now, by pid: its kind (`other` for the rest, `bench` for this process) and CPU seconds. */
export function processCpu(): Map<number, ProcessCpu> {
  const out = new Map<number, ProcessCpu>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at ") ".
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(rest[i]));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const kind = pid === process.pid ? 'bench' : (kindOf(cmdline) ?? 'other');
      out.set(pid, { kind, seconds: (utime! + stime! + cutime! + cstime!) / TICKS_PER_SECOND });
    } catch {
      // The process ended while we read it.
    }
  }
  return out;
}

export interface CpuSnapshot {
  at: number;
  machine: { busy: number; total: number };
  processes: Map<number, ProcessCpu>;
}

export const cpuSnapshot = (): CpuSnapshot => ({
  at: performance.now(),
  machine: machineCpu(),
  processes: processCpu(),
});

export interface CpuUsed {
  wallSeconds: number;
  /** Busy CPU seconds of the whole machine (every core, the kernel's threads and this bench included). */
  machineBusy: number;
  /** CPU seconds by process kind, over the processes alive at both ends. */
  byKind: Record<string, number>;
  /** The shop's own: every kind but `bench` and `other`. */
  shop: number;
}

/** CPU used between two snapshots. */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUsed {
  const byKind: Record<string, number> = {};
  for (const [pid, end] of b.processes) {
    const start = a.processes.get(pid);
    const used = end.seconds - (start?.seconds ?? 0);
    // A process born in the window counts whole; one whose pid was reused counts from 0.
    byKind[end.kind] = (byKind[end.kind] ?? 0) + (used >= 0 ? used : end.seconds);
  }
  const shop = Object.entries(byKind)
    .filter(([kind]) => kind !== 'bench' && kind !== 'other')
    .reduce((sum, [, s]) => sum + s, 0);
  return {
    wallSeconds: (b.at - a.at) / 1000,
    machineBusy: b.machine.busy - a.machine.busy,
    byKind,
    shop,
  };
}
