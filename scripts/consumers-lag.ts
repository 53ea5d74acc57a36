/**
 * `npm run consumers:lag`: how far each consumer group is behind, per topic and partition: the
 * high watermark minus the group's committed offset (kafkajs admin). A partition the group never
 * committed counts from the earliest retained offset. `--json` prints the rows as JSON; `--all`
 * includes groups outside `pasar.*` (test readers, the dlq tool).
 */
import type { Admin } from 'kafkajs';
import { getConfig } from '../platform/config';
import { createKafka } from '../platform/clients/kafka';

interface LagRow {
  group: string;
  topic: string;
  partition: number;
  committed: string;
  high: string;
  lag: number;
}

/** The lag of every partition of every topic the group has committed offsets for. */
async function groupLag(admin: Admin, group: string): Promise<LagRow[]> {
  const committed = await admin.fetchOffsets({ groupId: group });
  const rows: LagRow[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const p of partitions) {
      const end = ends.find((e) => e.partition === p.partition);
      if (!end) continue;
      // -1: nothing committed yet; the group will start from the earliest retained offset.
      const from = p.offset === '-1' ? end.low : p.offset;
      rows.push({
        group,
        topic,
        partition: p.partition,
        committed: p.offset,
        high: end.high,
        lag: Number(end.high) - Number(from),
      });
    }
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

async function main() {
  const config = getConfig();
  const kafka = createKafka(config.kafka.brokers, `${config.kafka.clientId}-lag`, config.dependencyTimeoutMs);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const names = groups
      .map((g) => g.groupId)
      .filter((g) => process.argv.includes('--all') || (g.startsWith('pasar.') && !g.startsWith('pasar.dlq-reader.')))
      .sort();
    const rows = (await Promise.all(names.map((g) => groupLag(admin, g)))).flat();
    if (process.argv.includes('--json')) return console.log(JSON.stringify(rows));
    if (rows.length === 0) return console.log('no consumer group has committed an offset yet');
    const cells = [
      ['group', 'topic', 'partition', 'committed', 'high', 'lag'],
      ...rows.map((r) => [r.group, r.topic, String(r.partition), r.committed, r.high, String(r.lag)]),
    ];
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
    for (const r of cells)
      console.log(r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
    const total = new Map<string, number>();
    for (const r of rows) total.set(r.group, (total.get(r.group) ?? 0) + r.lag);
    console.log(`\ntotal lag: ${[...total].map(([g, l]) => `${g} ${l}`).join(', ')}`);
  } finally {
    await admin.disconnect();
  }
}

await main();
