import { readFileSync } from 'node:fs';
import path from 'node:path';
import { splitStatements } from '../../platform/migrate/clickhouse';
import { averageSen, fromSen, toSen } from '../../services/analytics/money';
import { bucketOf, bucketsBetween, lastDays, spanDays } from '../../services/analytics/periods';
import { toEventRow } from '../../services/analytics/rows';
import type { CatalogEvent } from '../../platform/event-catalog';

describe('splitStatements', () => {
  it('splits on statement-ending semicolons and drops comments and blanks', () => {
    const sql = `-- header\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\n-- second\nCREATE TABLE b (s String DEFAULT 'a;b') ENGINE = Memory;\n`;
    expect(splitStatements(sql)).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      "CREATE TABLE b (s String DEFAULT 'a;b') ENGINE = Memory",
    ]);
  });

  it('reads the analytics v2 migration as its four statements', () => {
    const sql = readFileSync(path.join(__dirname, '../../services/analytics/clickhouse/0002_events_dedup.sql'), 'utf8');
    const statements = splitStatements(sql);
    expect(statements.map((s) => s.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'RENAME TABLE {database}.events',
      'RENAME TABLE {database}.order_metrics',
      'CREATE TABLE IF',
      'CREATE VIEW IF',
    ]);
    expect(statements[2]).toMatch(/ENGINE = ReplacingMergeTree\(\)/);
  });
});

describe('analytics money', () => {
  it('converts two-place amounts to sen and back exactly', () => {
    expect(toSen('15000.00')).toBe(1500000n);
    expect(toSen('0.07')).toBe(7n);
    expect(fromSen(1500007n)).toBe('15000.07');
    expect(fromSen('-5')).toBe('-0.05');
    // 0.1 + 0.2 in floats is not 0.3; in sen it is.
    expect(fromSen(toSen('0.10') + toSen('0.20'))).toBe('0.30');
    expect(() => toSen('1.5')).toThrow();
  });

  it('averages with half-up rounding and zero for nothing', () => {
    expect(averageSen(10n, 3)).toBe(3n);
    expect(averageSen(5n, 2)).toBe(3n);
    expect(averageSen(100n, 0)).toBe(0n);
  });
});

describe('analytics periods', () => {
  it('builds windows ending today and buckets by ISO week and month', () => {
    expect(lastDays('2026-11-25', 7)).toEqual({ from: '2026-11-19', to: '2026-11-25' });
    expect(lastDays('2026-03-01', 1)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(bucketOf('2026-11-25', 'week')).toBe('2026-11-23'); // a Wednesday → its Monday
    expect(bucketOf('2026-11-23', 'week')).toBe('2026-11-23');
    expect(bucketOf('2026-11-29', 'week')).toBe('2026-11-23'); // Sunday ends the ISO week
    expect(bucketOf('2026-11-25', 'month')).toBe('2026-11-01');
    expect(bucketsBetween('2026-10-30', '2026-12-02', 'month')).toEqual(['2026-10-01', '2026-11-01', '2026-12-01']);
    expect(spanDays('2026-01-01', '2026-12-31')).toBe(365);
  });
});

describe('toEventRow', () => {
  it('keeps the ids, the amount in sen, the lines and the UTC day', () => {
    const orderId = '6f1c1c5e-7f43-4e8e-9b0b-3f7b2f3c9a11';
    const userId = '0d4f6a58-3a0c-4d1b-8e8e-6a2a1f0e5b22';
    const productId = 'c3b2f7e1-1111-4a2b-9c3d-222233334444';
    const row = toEventRow({
      id: 'a4c3b2f7-0000-4a2b-9c3d-555566667777',
      type: 'order.paid',
      aggregate_id: orderId,
      aggregate_version: 2,
      occurred_at: '2026-11-25T23:59:59.500+07:00',
      version: 1,
      data: {
        order_id: orderId,
        order_number: 'PSR-1',
        user_id: userId,
        status: 'paid',
        total_amount: '66000.50',
        reason: null,
        items: [{ product_id: productId, quantity: 3, unit_price: '20000.10' }],
      },
    } as CatalogEvent);
    expect(row).toMatchObject({
      user_id: userId,
      order_id: orderId,
      amount_sen: 6600050,
      item_product_ids: [productId],
      item_quantities: [3],
      item_amounts_sen: [6000030],
      occurred_at: '2026-11-25 16:59:59',
      day: '2026-11-25',
      reason: '',
    });
  });
});
