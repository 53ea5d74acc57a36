/**
 * Reconciliation of cash on delivery: the couriers remit the cash they collected in settlement
 * reports (contracts/carrier.ts `CodRemittance`), days after delivery. Each pass reads the reports
 * remitted since the lookback, keeps every remitted parcel once (payments.cod_remittance_items, by
 * airway bill) and records, for an operator, what does not add up:
 *   cod_remittance_mismatch  remitted an amount other than the payment's (a short remittance)
 *   cod_remittance_unknown   remitted a parcel that is no collected COD payment of ours
 *   cod_not_remitted         collected longer ago than the grace, and still not remitted
 * It never moves a payment: the cash was collected at the door (the delivered scan); what the
 * courier owes is a matter between the shop and the courier.
 */
import type { CodRemittance } from '../../contracts/carrier';
import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import type { Logger } from '../../platform/logger';
import type { CarrierClient } from '../shipments/carrier-client';
import { COD_GATEWAY } from './cod';

export interface CodReconcileSummary {
  remittances: number;
  parcels: number;
  issues: { kind: string; awb: string; order_id: string | null }[];
}

export function createCodReconciler(
  deps: { db: Db; carrier: Pick<CarrierClient, 'codRemittances'> },
  logger: Logger,
  options: { lookbackSeconds: number; remittanceGraceSeconds: number },
) {
  const { db, carrier } = deps;

  async function issue(summary: CodReconcileSummary, kind: string, awb: string, orderId: string | null, details: object) {
    summary.issues.push({ kind, awb, order_id: orderId });
    await db.reconciliationIssue.upsert({
      where: { kind_gateway_intent_id: { kind, gateway: COD_GATEWAY, intent_id: awb } },
      create: { kind, gateway: COD_GATEWAY, intent_id: awb, order_id: orderId, details },
      update: { last_seen_at: new Date(), details },
    });
    logger.error(
      { alert: 'payment_reconciliation_issue', kind, awb, order_id: orderId, details },
      'COD reconciliation found a mismatch it will not fix on its own',
    );
  }

  async function keep(remittance: CodRemittance, summary: CodReconcileSummary) {
    for (const item of remittance.items) {
      summary.parcels++;
      const txn = await db.transaction.findFirst({
        where: { gateway: COD_GATEWAY, gateway_transaction_id: item.awb },
      });
      // A remittance never changes once listed: a parcel seen before is the same item again.
      await db.codRemittanceItem.createMany({
        data: [
          {
            awb: item.awb,
            remittance_id: remittance.remittance_id,
            carrier: remittance.carrier,
            amount: new Prisma.Decimal(item.amount),
            collected_at: new Date(item.collected_at),
            remitted_at: new Date(remittance.remitted_at),
            order_id: txn?.order_id ?? null,
          },
        ],
        skipDuplicates: true,
      });
      if (!txn || txn.status === 'pending' || txn.status === 'not_collected') {
        await issue(summary, 'cod_remittance_unknown', item.awb, txn?.order_id ?? null, {
          remittance_id: remittance.remittance_id,
          carrier: remittance.carrier,
          remitted: item.amount,
          payment_status: txn?.status ?? null,
        });
        continue;
      }
      // A collected payment of ours, remitted: what an earlier pass said of this parcel no longer
      // holds, whether it was never remitted (a late remittance) or unknown (the simulator remits at
      // the delivered scan, so a pass can read the remittance before the intake records the
      // collection; the item was then kept without its order).
      await db.reconciliationIssue.updateMany({
        where: {
          kind: { in: ['cod_not_remitted', 'cod_remittance_unknown'] },
          gateway: COD_GATEWAY,
          intent_id: item.awb,
          resolved_at: null,
        },
        data: { resolved_at: new Date() },
      });
      await db.codRemittanceItem.updateMany({
        where: { awb: item.awb, order_id: null },
        data: { order_id: txn.order_id },
      });
      if (!txn.amount.eq(new Prisma.Decimal(item.amount))) {
        await issue(summary, 'cod_remittance_mismatch', item.awb, txn.order_id, {
          remittance_id: remittance.remittance_id,
          carrier: remittance.carrier,
          collected: txn.amount.toFixed(2),
          remitted: item.amount,
        });
      }
    }
  }

  return {
    /** One pass; safe to run at any time (every write is idempotent). */
    async run(now = new Date()): Promise<CodReconcileSummary> {
      const summary: CodReconcileSummary = { remittances: 0, parcels: 0, issues: [] };
      const since = new Date(now.getTime() - options.lookbackSeconds * 1000);
      const remittances = await carrier.codRemittances(since);
      for (const r of remittances) {
        summary.remittances++;
        await keep(r, summary);
      }
      // Collected, past the grace, and no remittance of it kept. The window is the lookback ending
      // at the grace's edge, not at now: with the lookback shorter than the grace (2 days against 7
      // by default) a window ending now would never hold a collection older than the grace.
      const graceEdge = new Date(now.getTime() - options.remittanceGraceSeconds * 1000);
      const graceSince = new Date(graceEdge.getTime() - options.lookbackSeconds * 1000);
      const unremitted = await db.$queryRaw<{ order_id: string; awb: string; amount: Prisma.Decimal }[]>`
        SELECT t.order_id, t.gateway_transaction_id AS awb, t.amount FROM payments.transactions t
        LEFT JOIN payments.cod_remittance_items r ON r.awb = t.gateway_transaction_id
        WHERE t.method = 'cod' AND t.gateway = ${COD_GATEWAY} AND t.status IN ('success', 'refunding', 'refunded')
          AND t.updated_at < ${graceEdge} AND t.updated_at >= ${graceSince} AND r.awb IS NULL`;
      for (const row of unremitted) {
        await issue(summary, 'cod_not_remitted', row.awb, row.order_id, {
          collected: new Prisma.Decimal(row.amount).toFixed(2),
        });
      }
      return summary;
    },
  };
}

export type CodReconciler = ReturnType<typeof createCodReconciler>;
