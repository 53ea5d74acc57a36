/** The shopper's messages: rupiah as Indonesians write it, both parts, user text escaped in HTML. */
import {
  codeMessage,
  escapeHtml,
  formatRupiah,
  orderConfirmationMessage,
  welcomeMessage,
} from '../../services/notifications/messages';
import { classifyMailError, messageIdDomain } from '../../services/notifications/mailer';

describe('formatRupiah', () => {
  it.each([
    ['66000.00', 'Rp 66.000'],
    ['0.00', 'Rp 0'],
    ['999.00', 'Rp 999'],
    ['1250000.00', 'Rp 1.250.000'],
    ['9999999999.00', 'Rp 9.999.999.999'],
    ['1500.50', 'Rp 1.500,50'],
  ])('%s → %s', (amount, expected) => {
    expect(formatRupiah(amount)).toBe(expected);
  });
});

describe('messages', () => {
  const confirmation = {
    orderNumber: 'PSR-261125-ABCDEF12',
    lines: [
      { name: 'Kopi <script>alert(1)</script>', quantity: 2, unitPrice: '25000.00', total: '50000.00' },
      { name: 'Keripik "Pedas" & Manis', quantity: 1, unitPrice: '6000.00', total: '6000.00' },
    ],
    subtotal: '56000.00',
    shipping: '10000.00',
    total: '66000.00',
  };

  it('confirms an order with its lines, shipping and total in rupiah, in both parts', () => {
    const m = orderConfirmationMessage('Sari', confirmation);
    expect(m.subject).toBe('Pembayaran diterima: pesanan PSR-261125-ABCDEF12');
    for (const part of [m.text, m.html]) {
      expect(part).toContain('Rp 66.000');
      expect(part).toContain('Rp 10.000');
      expect(part).toContain('Rp 56.000');
      expect(part).toContain('Ongkos kirim');
    }
    expect(m.text).toContain('Halo Sari,');
    expect(m.text).toContain('- Kopi <script>alert(1)</script> × 2 @ Rp 25.000 = Rp 50.000');
    expect(m.text).toMatch(/Total: Rp 66\.000/);
  });

  it('with vouchers, the discount and free-shipping lines make the sums add up to the total; none without', () => {
    const m = orderConfirmationMessage('Sari', {
      ...confirmation,
      discount: '5000.00',
      shippingDiscount: '10000.00',
      total: '51000.00',
    });
    for (const part of [m.text, m.html]) {
      expect(part).toContain('Diskon voucher');
      expect(part).toContain('-Rp 5.000');
      expect(part).toContain('Gratis ongkir');
      expect(part).toContain('-Rp 10.000');
      expect(part).toContain('Rp 51.000');
    }
    const plain = orderConfirmationMessage('Sari', { ...confirmation, discount: '0.00', shippingDiscount: '0.00' });
    expect(plain.text).not.toContain('Diskon voucher');
    expect(plain.text).not.toContain('Gratis ongkir');
  });

  it('escapes what users wrote (names, product names) in the HTML part', () => {
    const m = orderConfirmationMessage('<b>Sari</b>', confirmation);
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>Sari</b>');
    expect(m.html).toContain('Kopi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.html).toContain('Keripik &quot;Pedas&quot; &amp; Manis');
    expect(welcomeMessage('<img src=x onerror=alert(1)>').html).not.toContain('<img');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('puts a code in the message and no other six-digit number', () => {
    const m = codeMessage('password_reset', '012345');
    expect(m.text.match(/\b\d{6}\b/g)).toEqual(['012345']);
    expect(m.subject).toContain('kata sandi');
  });
});

describe('mail errors', () => {
  it('tells an unreachable server from a refusal and a deferral', () => {
    expect(classifyMailError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' })).kind).toBe(
      'unavailable',
    );
    expect(classifyMailError(Object.assign(new Error('550 no such user'), { responseCode: 550 })).kind).toBe(
      'rejected',
    );
    expect(classifyMailError(Object.assign(new Error('451 try later'), { responseCode: 451 })).kind).toBe('temporary');
  });

  it('mints Message-IDs under the From domain', () => {
    expect(messageIdDomain('Pasar <no-reply@pasar.co.id>')).toBe('pasar.co.id');
    expect(messageIdDomain('no-reply@toko.id')).toBe('toko.id');
  });
});
