import {
  notificationId,
  signatureKey,
  signNotification,
  STATUS_CODES,
  verifySignatureKey,
  type TransactionReport,
} from '../../contracts/payment-notification';
import { Prisma } from '../../generated/prisma/client';
import { eventFromNotification, judgeWebhook, notificationCheck } from '../../services/payments/webhook-rules';

const serverKey = 'SB-Mid-server-unit-test-key';
const report = (over: Partial<TransactionReport> = {}): TransactionReport => ({
  transaction_id: 'pi_1',
  order_id: '3f1b5a0e-7a51-4d0c-9b8e-1f8d8e3b2a11',
  gross_amount: '150000.00',
  currency: 'IDR',
  payment_type: 'bank_transfer',
  transaction_status: 'settlement',
  status_code: '200',
  status_message: '',
  transaction_time: '2026-12-02T00:00:00Z',
  fraud_status: 'accept',
  ...over,
});

describe('Midtrans-model notification signatures', () => {
  it('is SHA-512 over order_id + status_code + gross_amount + server key, as Midtrans documents', () => {
    // echo -n "Postman-1578568851200150000.00VT-server-HJMpl9HLr_ntOKt5mRONdmKj" | sha512sum
    expect(signatureKey('Postman-1578568851', '200', '150000.00', 'VT-server-HJMpl9HLr_ntOKt5mRONdmKj')).toBe(
      'd08caebe3475d7f61f85bb1502abc40e8378326a9257b91f3a79f9175a71bd7b89a45c31df88c9b9e1f954a61043024b6b494a44886db5681560138543a2347f',
    );
  });

  it('verifies what it signed and nothing altered', () => {
    const signed = signNotification(report(), serverKey);
    expect(verifySignatureKey(signed, serverKey)).toBe(true);
    expect(verifySignatureKey(signed, 'SB-Mid-server-another-key')).toBe(false);
    expect(verifySignatureKey({ ...signed, gross_amount: '150000.01' }, serverKey)).toBe(false);
    // The same amount written differently is a different string: signatures are over what was sent.
    expect(verifySignatureKey({ ...signed, gross_amount: '150000' }, serverKey)).toBe(false);
    expect(verifySignatureKey({ ...signed, order_id: 'another' }, serverKey)).toBe(false);
    expect(verifySignatureKey({ ...signed, signature_key: 'ab' }, serverKey)).toBe(false);
  });

  it('names a notification by its transaction and status (and a refund by its key)', () => {
    expect(notificationId(report())).toBe('pi_1:settlement');
    expect(notificationId(report({ transaction_status: 'partial_refund', refund_key: 'r1' }))).toBe(
      'pi_1:partial_refund:r1',
    );
  });
});

describe('what a notification means to Pasar (webhook-rules.ts)', () => {
  it('maps each transaction_status onto one event type', () => {
    const typeOf = (over: Partial<TransactionReport>) => eventFromNotification(report(over)).type;
    expect(typeOf({ transaction_status: 'settlement' })).toBe('payment_intent.succeeded');
    expect(typeOf({ transaction_status: 'capture' })).toBe('payment_intent.succeeded');
    expect(typeOf({ transaction_status: 'capture', fraud_status: 'challenge' })).toBe('payment_intent.challenged');
    expect(typeOf({ transaction_status: 'deny' })).toBe('payment_intent.payment_failed');
    expect(typeOf({ transaction_status: 'pending' })).toBe('payment_intent.pending');
    expect(typeOf({ transaction_status: 'expire' })).toBe('payment_intent.expired');
    expect(typeOf({ transaction_status: 'cancel' })).toBe('payment_intent.canceled');
    expect(typeOf({ transaction_status: 'refund' })).toBe('refund.succeeded');
    expect(typeOf({ transaction_status: 'partial_refund' })).toBe('refund.unmatched_partial');
    expect(typeOf({ transaction_status: 'partial_refund', refund_key: 'k' })).toBe('refund.succeeded');
    expect(typeOf({ transaction_status: 'authorize' })).toBe('transaction.authorize');
  });

  it('keeps the decimal string as sent: the amount is compared exactly, never as a float', () => {
    expect(eventFromNotification(report({ gross_amount: '150000.00' })).data.amount).toBe('150000.00');
  });

  it('believes a status only when its status_code agrees and the status API still says it', () => {
    for (const [status, code] of Object.entries(STATUS_CODES)) {
      expect(notificationCheck(report({ transaction_status: status, status_code: code })).ok).toBe(true);
    }
    expect(notificationCheck(report({ transaction_status: 'settlement', status_code: '201' }))).toEqual({
      ok: false,
      reason: 'status_code_mismatch',
    });
    const now = (status: string) => report({ transaction_status: status, status_code: STATUS_CODES[status as 'deny'] });
    expect(notificationCheck(report(), now('settlement')).ok).toBe(true);
    expect(notificationCheck(report(), now('refund')).ok).toBe(true); // settled, then refunded since
    expect(notificationCheck(report(), now('pending')).ok).toBe(false);
    expect(notificationCheck(now('deny'), now('settlement')).ok).toBe(false);
    // A capture re-sent as a refund carries the same status_code 200 and a valid signature.
    expect(notificationCheck(now('refund'), now('capture')).ok).toBe(false);
    expect(notificationCheck(report(), { ...now('settlement'), transaction_id: 'pi_other' }).ok).toBe(false);
    const refunded = {
      ...now('partial_refund'),
      refunds: [{ refund_chargeback_id: 'c1', refund_amount: '5000.00', refund_key: 'k1', created_at: '' }],
    };
    expect(
      notificationCheck(report({ ...now('partial_refund'), refund_key: 'k1', refund_amount: '5000' }), refunded).ok,
    ).toBe(true);
    expect(
      notificationCheck(report({ ...now('partial_refund'), refund_key: 'k1', refund_amount: '6000.00' }), refunded).ok,
    ).toBe(false);
  });

  it('a deny reaching a settled payment is a reversal; reaching an unpaid one, the plain decline', () => {
    const deny = eventFromNotification(report({ transaction_status: 'deny', status_code: '202' }));
    const txn = (status: string) => ({
      order_id: report().order_id,
      amount: new Prisma.Decimal('150000'),
      currency: 'IDR',
      status,
    });
    const verdict = (status: string) => {
      const v = judgeWebhook(deny, txn(status));
      return v.kind === 'apply' ? [v.transition.to, v.transition.result] : v.kind;
    };
    expect(verdict('success')).toEqual(['reversed', 'reversed']);
    expect(verdict('reversed')).toEqual(['reversed', 'reversed']); // a repeat: moves nothing, handled again
    expect(verdict('pending')).toEqual(['failed', 'failed']);
    expect(verdict('processing')).toEqual(['failed', 'failed']);
    // A settlement is still only a success, and a deny that lies about the amount is refused as ever.
    const settled = eventFromNotification(report());
    const s = judgeWebhook(settled, txn('pending'));
    expect(s.kind === 'apply' && s.transition.to).toBe('success');
    expect(judgeWebhook({ ...deny, data: { ...deny.data, amount: '1.00' } }, txn('success'))).toEqual({
      kind: 'refused',
      reason: 'amount_mismatch',
    });
  });
});
