import { Prisma } from '../../generated/prisma/client';
import { unique, useDeps } from '../support/deps';

describe('Postgres through Prisma', () => {
  const deps = useDeps();

  it('writes a product with its inventory and reads it back with exact decimal money', async () => {
    const { db } = deps();
    const sku = unique('SKU').slice(0, 50);
    const created = await db.product.create({
      data: {
        sku,
        name: 'Kopi Gayo 250g',
        price: new Prisma.Decimal('125000.55'),
        inventory: { create: { quantity: 7 } },
      },
    });
    const read = await db.product.findUniqueOrThrow({ where: { sku }, include: { inventory: true } });
    expect(read.id).toBe(created.id);
    expect(read.price.toString()).toBe('125000.55');
    expect(read.inventory?.quantity).toBe(7);
    expect(read.inventory?.reserved).toBe(0);
  });

  it('refuses reserving more than the quantity (the oversell guard lives in the database too)', async () => {
    const { db } = deps();
    const product = await db.product.create({
      data: {
        sku: unique('SKU').slice(0, 50),
        name: 'Batik Tulis',
        price: 350000,
        inventory: { create: { quantity: 1 } },
      },
    });
    await expect(
      db.inventory.update({ where: { product_id: product.id }, data: { reserved: { increment: 2 } } }),
    ).rejects.toThrow(/inventory_reserved_within_quantity/);
  });

  it('keeps each service in its own Postgres schema', async () => {
    const { db } = deps();
    const rows = await db.$queryRaw<{ table_schema: string; table_name: string }[]>`
      SELECT table_schema, table_name FROM information_schema.tables
      WHERE table_schema IN ('auth','users','catalog','orders','payments','transport','notifications','outbox','promotions')`;
    const names = rows.map((r) => `${r.table_schema}.${r.table_name}`).sort();
    expect(names).toEqual(
      [
        'auth.credentials',
        'catalog.inventory',
        'catalog.products',
        'catalog.reservations',
        'notifications.notifications',
        'orders.complaint_notes',
        'orders.complaints',
        'orders.order_items',
        'orders.orders',
        'outbox.aggregate_versions',
        'orders.refund_requests',
        'outbox.events',
        'payments.cod_remittance_items',
        'payments.method_choices',
        'payments.reconciliation_issues',
        'payments.refund_accounts',
        'payments.refunds',
        'payments.transactions',
        'payments.webhook_events',
        'promotions.identity_uses',
        'promotions.released_orders',
        'promotions.voucher_claims',
        'promotions.vouchers',
        'transport.carrier_event_refusals',
        'transport.carrier_event_texts',
        'transport.carrier_stream_cursors',
        'transport.shipment_rebooks',
        'transport.shipments',
        'transport.tracking_events',
        'users.addresses',
        'users.users',
      ].sort(),
    );
  });
});
