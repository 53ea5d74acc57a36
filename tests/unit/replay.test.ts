/**
 * Replays committed histories against the current workflow code: checkouts (paid, declined,
 * expired, cancelled, cancelled while its captured payment's webhook was late, confirmed for cash
 * on delivery, paid with vouchers and cancelled with its voucher released), shipments (a cash-on-delivery parcel collected at the door and one refused there,
 * delivered, returned, lost, rebooked after a missed pickup, withdrawn by an operator's refund
 * before pickup, refunded before booking, and an operator's rebook and refund with their reasons:
 * as text, as shipments before reasons travelled by id carry them, and as ids) and complaints (an automatic refund, a return, an
 * escalation, a replacement delivered by the carrier, a return carried back, and notes written by
 * the seller, buyer and operator: as their text, as cases before notes travelled by id carry them,
 * and as ids). A change that would
 * break sagas already running fails here, not in production. Record one with
 * `npm run replay -- <workflow-id> --save <name>`. The replay runs in its own process: the SDK's
 * protobuf classes do not survive jest's module sandbox.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';

const DIR = 'tests/replay/histories';

function replay(...extra: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('node', ['--import', 'tsx', 'scripts/replay.ts', '--dir', DIR, ...extra], (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe('replaying committed checkout histories', () => {
  it('has the representative endings', () => {
    expect(readdirSync(DIR).sort()).toEqual([
      'checkout-cancelled-after-capture.json',
      'checkout-cancelled.json',
      'checkout-cash-on-delivery.json',
      'checkout-declined.json',
      'checkout-expired.json',
      'checkout-paid-resting-status.json',
      'checkout-paid.json',
      'checkout-voucher-paid.json',
      'checkout-voucher-released.json',
      'complaint-auto-refund.json',
      'complaint-escalation.json',
      'complaint-notes-as-text.json',
      'complaint-notes-by-id.json',
      'complaint-replacement.json',
      'complaint-return-by-carrier.json',
      'complaint-return.json',
      'shipment-cod-collected.json',
      'shipment-cod-refused.json',
      'shipment-delivered-in-batches.json',
      'shipment-delivered.json',
      'shipment-lost.json',
      'shipment-operator-reasons-as-text.json',
      'shipment-operator-reasons-by-id.json',
      'shipment-rebooked.json',
      'shipment-refunded-before-booking.json',
      'shipment-returned.json',
      'shipment-withdrawn-by-operator.json',
    ]);
  });

  it('replays every one of them against the current code', async () => {
    const { code, output } = await replay();
    expect(output).toContain('27 replayed deterministically, 0 failed');
    expect(code).toBe(0);
  });

  it('catches an incompatible change to the workflow', async () => {
    const { code, output } = await replay('--workflows', 'tests/replay/drifted-workflows.ts');
    expect(output).toMatch(/NON-DETERMINISM/);
    expect(output).toContain('0 replayed deterministically, 27 failed');
    expect(output).toMatch(/NON-DETERMINISM shipment-/);
    expect(output).toMatch(/NON-DETERMINISM complaint-/);
    expect(code).toBe(1);
  });
});
