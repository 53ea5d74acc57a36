/**
 * What the simulated gateway issues for each payment method, as Midtrans does: a virtual account
 * number per bank, a dynamic QRIS payload, an e-wallet's redirect and deeplink, or a push to the
 * OVO app; and each method's Midtrans payment_type.
 */
import { randomInt } from 'node:crypto';
import type { GatewayPaymentMethod, PaymentInstructions } from '../../contracts/payment-methods';

/** Midtrans names: BCA, BNI and BRI virtual accounts are bank_transfer; Mandiri's bill is echannel. */
export function paymentTypeOf(method: GatewayPaymentMethod): string {
  switch (method.type) {
    case 'card':
      return 'credit_card';
    case 'qris':
      return 'qris';
    case 'bank_transfer':
      return method.bank === 'mandiri' ? 'echannel' : method.bank === 'permata' ? 'permata' : 'bank_transfer';
    case 'ewallet':
      return method.provider;
  }
}

/** Each bank's merchant prefix (made up), then an account number of the transaction's own. */
const VA_PREFIX: Record<string, string> = {
  bca: '12277',
  bni: '9881',
  bri: '26215',
  mandiri: '89508',
  permata: '8778',
};
const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/** An EMVCo merchant-presented QR payload (the tag-length-value format QRIS uses), with its CRC. */
function qrisPayload(id: string, amount: string): string {
  const tlv = (tag: string, value: string) => `${tag}${String(value.length).padStart(2, '0')}${value}`;
  const body =
    tlv('00', '01') +
    tlv('01', '12') +
    tlv('26', tlv('00', 'ID.CO.QRIS.WWW') + tlv('01', '936009990000000000')) +
    tlv('52', '5399') +
    tlv('53', '360') +
    tlv('54', amount.replace(/\.00$/, '')) +
    tlv('58', 'ID') +
    tlv('59', 'PASAR') +
    tlv('60', 'JAKARTA') +
    tlv('62', tlv('05', id.slice(-25))) +
    '6304';
  return body + crc16(body);
}

/** CRC-16/CCITT-FALSE, as EMVCo QR codes end with. */
function crc16(text: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** The shopper's number as an OVO push confirmation shows it: enough to recognise, not to reuse. */
const masked = (phone: string) => `${phone.slice(0, 5)}****${phone.slice(-3)}`;

export function instructionsFor(
  intentId: string,
  amount: string,
  method: GatewayPaymentMethod,
  expiresAt: Date,
  baseUrl: string,
): PaymentInstructions {
  const expires_at = expiresAt.toISOString();
  switch (method.type) {
    case 'card':
      return {};
    case 'bank_transfer':
      return { bank: method.bank, va_number: `${VA_PREFIX[method.bank]}${digits(11)}`, expires_at };
    case 'qris':
      return { qr_id: intentId, qr_string: qrisPayload(intentId, amount), expires_at };
    case 'ewallet':
      if (method.provider === 'ovo') return { push_sent_to: masked(method.phone ?? ''), expires_at };
      return {
        redirect_url: `${baseUrl}/_sim/ewallet/${intentId}`,
        deeplink: `${method.provider}://pay?reference=${intentId}`,
        expires_at,
      };
  }
}
