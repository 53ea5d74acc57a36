/**
 * What Pasar says to a shopper, in Bahasa Indonesia, as a plain-text part and an HTML part.
 * Pure functions (no I/O), so the wording and the rupiah format are checked by unit tests.
 * Everything that comes from a user (names, product names) is escaped in the HTML part.
 */

export interface Message {
  subject: string;
  text: string;
  html: string;
}

const RUPIAH = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const RUPIAH_WITH_SEN = new Intl.NumberFormat('id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * An amount as Indonesians write it: `Rp 66.000` (dots between thousands, no decimals). Takes the
 * decimal string the stores and events carry ("66000.00"); a non-zero fraction keeps its two
 * places (`Rp 1.500,50`) rather than being rounded away.
 */
export function formatRupiah(amount: string): string {
  const [whole = '0', fraction = ''] = amount.split('.');
  const hasSen = /[1-9]/.test(fraction);
  return `Rp ${(hasSen ? RUPIAH_WITH_SEN : RUPIAH).format(Number(hasSen ? amount : whole))}`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A text part and an HTML part built from the same paragraphs. */
function compose(subject: string, greetingName: string, paragraphs: string[], htmlExtra = ''): Message {
  const greeting = `Halo ${greetingName},`;
  const closing = 'Salam hangat,\nTim Pasar';
  const text = [greeting, ...paragraphs, closing].join('\n\n') + '\n';
  const html =
    `<!doctype html><html lang="id"><body style="font-family:sans-serif">` +
    `<p>${escapeHtml(greeting)}</p>` +
    paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('') +
    htmlExtra +
    `<p>Salam hangat,<br>Tim Pasar</p></body></html>`;
  return { subject, text, html };
}

export function welcomeMessage(firstName: string): Message {
  return compose('Selamat datang di Pasar!', firstName, [
    'Terima kasih telah mendaftar di Pasar. Akun Anda sudah aktif: selamat berbelanja kebutuhan harian, ' +
      'camilan, dan produk lokal pilihan dari seluruh Indonesia.',
    'Jika Anda tidak merasa mendaftar, abaikan email ini atau hubungi layanan pelanggan kami.',
  ]);
}

export interface ConfirmationLine {
  name: string;
  quantity: number;
  unitPrice: string;
  total: string;
}

export interface OrderConfirmation {
  orderNumber: string;
  lines: ConfirmationLine[];
  subtotal: string;
  shipping: string;
  /** What vouchers took off the lines and the shipping ('0.00' when none). */
  discount?: string;
  shippingDiscount?: string;
  total: string;
  /** Cash on delivery: nothing was paid yet; the courier collects the total at the door. */
  payOnDelivery?: boolean;
}

export function orderConfirmationMessage(firstName: string, o: OrderConfirmation): Message {
  const lineText = o.lines.map(
    (l) => `- ${l.name} × ${l.quantity} @ ${formatRupiah(l.unitPrice)} = ${formatRupiah(l.total)}`,
  );
  // A voucher's line only when it took something off: the sums then add up to the total.
  const off = (amount: string | undefined) => amount !== undefined && Number(amount) > 0;
  const sums = [
    `Subtotal: ${formatRupiah(o.subtotal)}`,
    ...(off(o.discount) ? [`Diskon voucher: -${formatRupiah(o.discount!)}`] : []),
    `Ongkos kirim: ${formatRupiah(o.shipping)}`,
    ...(off(o.shippingDiscount) ? [`Gratis ongkir: -${formatRupiah(o.shippingDiscount!)}`] : []),
    `Total: ${formatRupiah(o.total)}`,
  ];
  const cell = (s: string, right = false) => `<td${right ? ' style="text-align:right"' : ''}>${escapeHtml(s)}</td>`;
  const table =
    `<table cellpadding="4"><thead><tr><th>Produk</th><th>Jumlah</th><th>Harga</th><th>Total</th></tr></thead><tbody>` +
    o.lines
      .map(
        (l) =>
          `<tr>${cell(l.name)}${cell(String(l.quantity), true)}${cell(formatRupiah(l.unitPrice), true)}` +
          `${cell(formatRupiah(l.total), true)}</tr>`,
      )
      .join('') +
    `</tbody><tfoot>` +
    `<tr><td colspan="3">Subtotal</td>${cell(formatRupiah(o.subtotal), true)}</tr>` +
    (off(o.discount)
      ? `<tr><td colspan="3">Diskon voucher</td>${cell(`-${formatRupiah(o.discount!)}`, true)}</tr>`
      : '') +
    `<tr><td colspan="3">Ongkos kirim</td>${cell(formatRupiah(o.shipping), true)}</tr>` +
    (off(o.shippingDiscount)
      ? `<tr><td colspan="3">Gratis ongkir</td>${cell(`-${formatRupiah(o.shippingDiscount!)}`, true)}</tr>`
      : '') +
    `<tr><th colspan="3" style="text-align:left">Total</th>${cell(formatRupiah(o.total), true)}</tr>` +
    `</tfoot></table>`;
  const m = o.payOnDelivery
    ? compose(
        `Pesanan dikonfirmasi (bayar di tempat): ${o.orderNumber}`,
        firstName,
        [
          `Pesanan ${o.orderNumber} sudah kami konfirmasi dan segera kami kirim. Siapkan uang tunai ${formatRupiah(o.total)} untuk kurir saat paket tiba (COD).`,
        ],
        table,
      )
    : compose(
        `Pembayaran diterima: pesanan ${o.orderNumber}`,
        firstName,
        [`Pembayaran untuk pesanan ${o.orderNumber} sudah kami terima. Pesanan Anda segera kami proses dan kirim.`],
        table,
      );
  // The text part carries the same lines and sums after the opening paragraph.
  const [greeting, first, ...rest] = m.text.split('\n\n');
  return { ...m, text: [greeting, first, lineText.join('\n'), sums.join('\n'), ...rest].join('\n\n') };
}

const CANCEL_REASONS: Record<string, string> = {
  expired: 'pembayaran tidak kami terima sebelum batas waktu',
  payment_failed: 'pembayaran ditolak',
  cancelled: 'pesanan dibatalkan atas permintaan Anda',
  insufficient_stock: 'stok produk tidak mencukupi',
};

export function orderCancelledMessage(firstName: string, orderNumber: string, reason: string | null): Message {
  const why = CANCEL_REASONS[reason ?? ''] ?? 'pesanan tidak dapat diselesaikan';
  return compose(`Pesanan ${orderNumber} dibatalkan`, firstName, [
    `Pesanan ${orderNumber} dibatalkan karena ${why}. Stok yang sempat dipesan sudah kami kembalikan dan ` +
      'tidak ada dana yang ditarik untuk pesanan ini.',
    'Anda dapat berbelanja kembali kapan saja.',
  ]);
}

export function refundMessage(firstName: string, orderNumber: string, amount: string): Message {
  return compose(`Dana pesanan ${orderNumber} sudah dikembalikan`, firstName, [
    `Pengembalian dana sebesar ${formatRupiah(amount)} untuk pesanan ${orderNumber} telah berhasil diproses. ` +
      'Dana akan masuk ke metode pembayaran Anda sesuai kebijakan bank atau penyedia pembayaran.',
  ]);
}

/** A one-time code: verification of an email or phone, or a password reset. */
export function codeMessage(purpose: 'email' | 'phone' | 'password_reset', code: string): Message {
  const subject = purpose === 'password_reset' ? 'Kode atur ulang kata sandi Pasar' : 'Kode verifikasi Pasar';
  const use = purpose === 'password_reset' ? 'mengatur ulang kata sandi Anda' : 'memverifikasi akun Anda';
  return compose(subject, 'Pelanggan Pasar', [
    `Kode Pasar Anda untuk ${use}: ${code}`,
    'Kode berlaku selama 5 menit. Jangan berikan kode ini kepada siapa pun, termasuk pihak yang mengaku dari Pasar.',
  ]);
}

export function accountExistsMessage(): Message {
  return compose('Anda sudah memiliki akun Pasar', 'Pelanggan Pasar', [
    'Seseorang (mungkin Anda) mencoba mendaftar di Pasar dengan alamat email ini. Anda sudah memiliki akun: ' +
      'silakan masuk, atau atur ulang kata sandi jika Anda lupa.',
    'Jika itu bukan Anda, abaikan saja email ini.',
  ]);
}
