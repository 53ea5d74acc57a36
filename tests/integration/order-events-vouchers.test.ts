/**
 * The events that sell an order name its vouchers (issue 22, item 2): order.paid carries each
 * claimed voucher and what it took off, read by the order store from the claims in the same
 * transaction, so analytics can count spend per voucher by the same rule as the sale. Against the
 * real stack: a checkout with a discount and a free-shipping code, paid by card; its outbox event
 * is catalog-valid and becomes the analytics row the dashboard sums.
 */
import { randomUUID } from 'node:crypto';
import { parseEvent } from '../../platform/event-catalog';
import { toEventRow } from '../../services/analytics/rows';
import { toSen } from '../../services/analytics/money';
import { adminToken, client, type Client } from '../support/http';
import { useServer } from '../support/server';
import { newVoucher } from '../support/vouchers';
import { CARDS, newProduct, orderStatus, shopperWithCart } from '../support/shop';

describe('order events name the vouchers that sold the order', () => {
  const server = useServer({ worker: true });
  let api: Client;
  let admin: string;
  beforeAll(async () => {
    api = client(server().base);
    admin = await adminToken(server());
  });

  const voucher = (name: string, terms: Record<string, unknown>) => newVoucher(api, admin, { name, ...terms });

  const outboxData = async (orderId: string, type: string) =>
    (await server().deps.db.outboxEvent.findFirstOrThrow({ where: { key: orderId, type } })).payload as {
      data: Record<string, unknown>;
    };

  it('order.paid lists each claimed voucher with its amount; the analytics row keeps them aligned', async () => {
    const discount = await voucher('Diskon Akhir Tahun', { kind: 'discount', amount_off: '7500.25', budget_uses: 5 });
    const shipping = await voucher('Gratis Ongkir', { kind: 'shipping', amount_off: '50000.00', budget_uses: 5 });
    const productId = await newProduct(api, admin, 5, '40000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await api.raw('POST', '/checkout', {
      token: me.token,
      body: { address_id: me.address_id, voucher_codes: [shipping.code, discount.code] },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    // The whole shipping, up to the voucher's Rp50.000.
    const shippingOff = (res.body.amount as Record<string, string>).shipping_discount!;
    expect(toSen(shippingOff)).toBeGreaterThan(0n);
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');

    const payload = await outboxData(orderId, 'order.paid');
    expect(payload.data).toMatchObject({
      discount_amount: '7500.25',
      shipping_discount: shippingOff,
      // One per kind, discount first, whatever the order the codes were typed in.
      vouchers: [
        {
          voucher_id: discount.id,
          code: discount.code,
          name: 'Diskon Akhir Tahun',
          kind: 'discount',
          amount: '7500.25',
        },
        { voucher_id: shipping.id, code: shipping.code, name: 'Gratis Ongkir', kind: 'shipping', amount: shippingOff },
      ],
    });
    const parsed = parseEvent(payload);
    if (!parsed.ok) throw new Error(`order.paid is not catalog-valid: ${parsed.error}`);
    expect(toEventRow(parsed.event)).toMatchObject({
      discount_sen: 750025,
      shipping_discount_sen: Number(toSen(shippingOff)),
      voucher_ids: [discount.id, shipping.id],
      voucher_codes: [discount.code, shipping.code],
      voucher_names: ['Diskon Akhir Tahun', 'Gratis Ongkir'],
      voucher_kinds: ['discount', 'shipping'],
      voucher_amounts_sen: [750025, Number(toSen(shippingOff))],
    });
  });

  it('an order without vouchers says so with an empty list', async () => {
    const productId = await newProduct(api, admin, 5, '25000.00');
    const me = await shopperWithCart(api, [{ product_id: productId, quantity: 1 }]);
    const res = await api.raw('POST', '/checkout', {
      token: me.token,
      body: { address_id: me.address_id },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(202);
    const orderId = res.body.order_id as string;
    await api.post('/payments/confirm', { order_id: orderId, card_number: CARDS.ok }, me.token);
    await orderStatus(api, me.token, orderId, 'paid');
    expect((await outboxData(orderId, 'order.paid')).data).toMatchObject({
      discount_amount: '0.00',
      shipping_discount: '0.00',
      vouchers: [],
    });
  });
});
