/**
 * Claiming vouchers for an order, exactly, under a rush; and giving them back.
 *
 * A claim, in one transaction: the order's advisory lock (a claim and its own release never
 * interleave), then each person key's use counter for the voucher, raised only while under the
 * per-shopper limit (INSERT … ON CONFLICT DO UPDATE … WHERE uses < limit: concurrent claims by
 * one person queue on that row and the second finds it full), then the voucher row under its lock
 * (SELECT … FOR UPDATE) where uses and budget are checked and moved. Rows are locked in one order
 * (counters by (voucher, key), then vouchers by id) by claims and releases alike: no deadlocks.
 * 1,000 claims for 100 uses queue on the voucher's row for a moment each; the 101st finds it full
 * and is refused; once the row says exhausted, later callers are refused before any lock (the
 * unlocked read below), so the losers hear why at once. The CHECKs on the table stand behind it.
 *
 * Budget by amount: the last claim gets what is left (never more), so a campaign is spent to the
 * last rupiah and no shopper is refused while money remains; the claim records what it got.
 *
 * Idempotent by (voucher, order): a retried claim finds its first claim and returns it.
 * `release` (the checkout saga's undo: cancelled, declined, expired) gives the budget, the use and
 * the shopper's use back exactly once; a release with no claim gives nothing back but marks the
 * order released, so a timed-out claim attempt that lands after its own undo is refused.
 * `returnOnRefund` (a full refund): the budget and the voucher's use go back to the campaign (the
 * order cost it nothing in the end), but the SHOPPER'S use does not: their one-per-person voucher
 * was used on an order they received and returned; giving it back would let buy, refund, buy again
 * reuse a one-time voucher (a cancelled or declined checkout, which never shipped, gets it back).
 */
import { Prisma, type Voucher } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import { AppError } from '../../platform/errors';
import { identityKeys, type ShopperIdentity } from './identity';
import { fromSen, toSen } from './money';
import { normalizeCode } from './codes';
import { createWorkQueue } from './queue';
import { grantable, rowRefusal, termsOf } from './standing';

/** Claims at work at once per process (queue.ts): well under the pool's 20 connections. */
export const CLAIM_CONCURRENCY = 8;
import { discountFor, stackProblem, type Basket, type VoucherKind } from './rules';

type Tx = Prisma.TransactionClient;

/** Why a voucher cannot be claimed: `details.reason` of the 409 `claim` throws. */
export const CLAIM_REFUSALS = [
  'unknown_code',
  'not_yours',
  'paused',
  'not_started',
  'expired',
  'uses_exhausted',
  'budget_spent',
  'per_shopper_limit',
  'min_spend_not_met',
  'not_applicable',
  'stacking_not_allowed',
  'order_released',
] as const;
export type ClaimRefusal = (typeof CLAIM_REFUSALS)[number];

const MESSAGES: Record<ClaimRefusal, string> = {
  unknown_code: 'no voucher has this code',
  not_yours: 'this voucher was issued to another account',
  paused: 'this voucher is paused',
  not_started: 'this voucher is not valid yet',
  expired: 'this voucher has expired',
  uses_exhausted: 'this voucher has been used up',
  budget_spent: "this voucher's budget is spent",
  per_shopper_limit: 'this voucher was already used by this person (account, phone number or address)',
  min_spend_not_met: "the basket does not reach this voucher's minimum spend",
  not_applicable: 'this voucher applies to nothing in the basket',
  stacking_not_allowed: 'at most one shipping and one discount voucher per order',
  order_released: "this order's vouchers were already released",
};

export function refused(reason: ClaimRefusal, code?: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('conflict', MESSAGES[reason], { reason, ...(code ? { code } : {}), ...extra });
}

export interface ClaimInput {
  orderId: string;
  userId: string;
  identity: ShopperIdentity;
  codes: string[];
  basket: Basket;
}

export interface ClaimView {
  id: string;
  voucher_id: string;
  code: string;
  kind: VoucherKind;
  amount: string;
  status: 'claimed' | 'released' | 'returned';
}

export interface ClaimResult {
  claims: ClaimView[];
  /** What the discount voucher takes off the lines. */
  discount: string;
  /** What the shipping voucher takes off the shipping. */
  shipping_discount: string;
}

type Budgeted = Pick<
  Voucher,
  'user_id' | 'status' | 'valid_from' | 'valid_until' | 'used' | 'budget_uses' | 'spent' | 'budget_amount'
>;
/** The voucher row as read under its lock, numbers as text (exact). */
type LockedVoucher = Omit<Budgeted, 'spent' | 'budget_amount'> & { spent: string; budget_amount: string | null };
interface Planned {
  voucher: Voucher;
  amount: bigint;
}

function result(rows: ClaimView[]): ClaimResult {
  const sum = (kind: VoucherKind) =>
    fromSen(rows.filter((r) => r.kind === kind && r.status === 'claimed').reduce((s, r) => s + toSen(r.amount), 0n));
  return { claims: rows, discount: sum('discount'), shipping_discount: sum('shipping') };
}

async function lockOrder(tx: Tx, orderId: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`promotions:order:${orderId}`}, 0))`;
}

export function createVoucherClaims(db: Db, concurrency = CLAIM_CONCURRENCY) {
  const queue = createWorkQueue(concurrency);
  async function claimsOf(orderId: string, client: Tx | Db = db): Promise<ClaimView[]> {
    const rows = await client.voucherClaim.findMany({
      where: { order_id: orderId },
      include: { voucher: { select: { code: true } } },
      orderBy: { created_at: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      voucher_id: r.voucher_id,
      code: r.voucher.code,
      kind: r.kind as VoucherKind,
      amount: r.amount.toFixed(2),
      status: r.status as ClaimView['status'],
    }));
  }

  /** Looks the codes up and refuses at once what no lock could change: unknown, not yours, stacking, the basket. */
  async function prepare(input: ClaimInput, now: Date) {
    const codes: string[] = [];
    for (const typed of input.codes) {
      const code = normalizeCode(typed);
      if (!code) throw refused('unknown_code', typed.slice(0, 40));
      codes.push(code);
    }
    // The order's earlier claims, read alongside: a retry returns them, and stacking counts them.
    const [vouchers, earlier] = await Promise.all([
      db.voucher.findMany({ where: { code: { in: codes } } }),
      claimsOf(input.orderId),
    ]);
    const byCode = new Map(vouchers.map((v) => [v.code, v]));
    const wanted = codes.map((c) => {
      const v = byCode.get(c);
      if (!v) throw refused('unknown_code', c);
      return v;
    });
    const live = earlier.filter((c) => c.status === 'claimed');
    const fresh = wanted.filter((v) => !earlier.some((c) => c.voucher_id === v.id));
    // Stacking counts the order's live claims too: a second call cannot add a second discount.
    const stack =
      new Set(codes).size < codes.length
        ? 'duplicate'
        : stackProblem([
            ...live.map((c) => ({ id: c.voucher_id, kind: c.kind })),
            ...fresh.map((v) => ({ id: v.id, kind: v.kind as VoucherKind })),
          ]);
    if (stack) throw refused('stacking_not_allowed', undefined, { kind: stack });
    const planned = fresh.map((v) => {
      const why = rowRefusal(v, input.userId, now);
      if (why) throw refused(why, v.code);
      const d = discountFor(termsOf(v), input.basket);
      if (d.reason)
        throw refused(d.reason, v.code, d.reason === 'min_spend_not_met' ? { min_spend: v.min_spend.toFixed(2) } : {});
      return { voucher: v, amount: toSen(d.amount) };
    });
    return { wanted, planned };
  }

  /** Raises each person key's counter for the voucher, or refuses when any is at the limit. */
  async function countPerson(tx: Tx, v: Voucher, keys: string[]) {
    for (const key of keys) {
      const rows = await tx.$queryRaw<{ uses: number }[]>`
        INSERT INTO promotions.identity_uses (voucher_id, identity, uses) VALUES (${v.id}::uuid, ${key}, 1)
        ON CONFLICT (voucher_id, identity) DO UPDATE SET uses = identity_uses.uses + 1
        WHERE identity_uses.uses < ${v.per_shopper_limit}
        RETURNING uses`;
      if (rows.length === 0) throw refused('per_shopper_limit', v.code, { limit: v.per_shopper_limit });
    }
  }

  /** Takes one use and up to `amount` of the budget under the voucher's row lock; returns what was granted. */
  /**
   * Takes one use and up to `amount` of the budget under the voucher's row lock, and records the
   * claim: two statements while the lock is held, as every claim of a rush waits on this row.
   */
  async function spend(tx: Tx, p: Planned, input: ClaimInput, keys: string[], now: Date) {
    const [row] = await tx.$queryRaw<LockedVoucher[]>`
      SELECT user_id::text, status, valid_from, valid_until, used, budget_uses, spent::text, budget_amount::text
      FROM promotions.vouchers WHERE id = ${p.voucher.id}::uuid FOR UPDATE`;
    const v = {
      ...row!,
      spent: new Prisma.Decimal(row!.spent),
      budget_amount: row!.budget_amount === null ? null : new Prisma.Decimal(row!.budget_amount),
    };
    const why = rowRefusal(v, input.userId, now);
    if (why) throw refused(why, p.voucher.code);
    const granted = grantable(v, fromSen(p.amount));
    await tx.$executeRaw`
      WITH spent AS (
        UPDATE promotions.vouchers SET used = used + 1, spent = spent + ${granted}::numeric, updated_at = now()
        WHERE id = ${p.voucher.id}::uuid RETURNING id)
      INSERT INTO promotions.voucher_claims (voucher_id, order_id, user_id, kind, amount, identities)
      SELECT id, ${input.orderId}::uuid, ${input.userId}::uuid, ${p.voucher.kind}, ${granted}::numeric, ${keys}::varchar(80)[]
      FROM spent`;
  }

  async function claim(input: ClaimInput): Promise<ClaimResult> {
    const now = new Date();
    const { wanted, planned } = await prepare(input, now);
    if (planned.length > 0) {
      const keys = identityKeys(input.userId, input.identity);
      await db.$transaction(async (tx) => {
        await lockOrder(tx, input.orderId);
        // Read after the lock (its own statement: a statement's snapshot is taken when it starts).
        const [seen] = await tx.$queryRaw<{ released: boolean; already: string[] }[]>`
          SELECT EXISTS (SELECT 1 FROM promotions.released_orders WHERE order_id = ${input.orderId}::uuid) AS released,
                 ARRAY(SELECT voucher_id::text FROM promotions.voucher_claims WHERE order_id = ${input.orderId}::uuid) AS already`;
        if (seen!.released) throw refused('order_released');
        const todo = planned
          .filter((p) => !seen!.already.includes(p.voucher.id)) // a concurrent retry won
          .sort((a, b) => a.voucher.id.localeCompare(b.voucher.id));
        for (const p of todo) await countPerson(tx, p.voucher, keys);
        for (const p of todo) await spend(tx, p, input, keys, now);
      });
    } else if (await db.voucherReleasedOrder.findUnique({ where: { order_id: input.orderId } })) {
      throw refused('order_released');
    }
    const ids = new Set(wanted.map((v) => v.id));
    return result((await claimsOf(input.orderId)).filter((c) => ids.has(c.voucher_id)));
  }

  return {
    /**
     * Claims the order's vouchers, all or none (409 with `details.reason` from CLAIM_REFUSALS).
     * `identity.phone` must be the account's VERIFIED number or null (identity.ts says why).
     */
    claim: (input: ClaimInput): Promise<ClaimResult> => queue(() => claim(input)),

    /** The saga's undo: every claimed voucher of the order back, exactly once. Returns how many. */
    async release(orderId: string): Promise<number> {
      return db.$transaction(async (tx) => {
        await lockOrder(tx, orderId);
        await tx.voucherReleasedOrder.createMany({ data: [{ order_id: orderId }], skipDuplicates: true });
        const back = await tx.voucherClaim.updateManyAndReturn({
          where: { order_id: orderId, status: 'claimed' },
          data: { status: 'released', released_at: new Date() },
        });
        for (const c of back.sort((a, b) => a.voucher_id.localeCompare(b.voucher_id))) {
          for (const key of [...c.identities].sort())
            await tx.$executeRaw`
              UPDATE promotions.identity_uses SET uses = uses - 1
              WHERE voucher_id = ${c.voucher_id}::uuid AND identity = ${key} AND uses > 0`;
        }
        for (const c of back.sort((a, b) => a.voucher_id.localeCompare(b.voucher_id)))
          await tx.$executeRaw`
            UPDATE promotions.vouchers SET used = used - 1, spent = spent - ${c.amount}::numeric, updated_at = now()
            WHERE id = ${c.voucher_id}::uuid`;
        return back.length;
      });
    },

    /** A full refund: budget and the voucher's use back to the campaign, once; the shopper's use stays spent. */
    async returnOnRefund(orderId: string): Promise<number> {
      return db.$transaction(async (tx) => {
        const back = await tx.voucherClaim.updateManyAndReturn({
          where: { order_id: orderId, status: 'claimed' },
          data: { status: 'returned', returned_at: new Date() },
        });
        for (const c of back.sort((a, b) => a.voucher_id.localeCompare(b.voucher_id)))
          await tx.$executeRaw`
            UPDATE promotions.vouchers SET used = used - 1, spent = spent - ${c.amount}::numeric, updated_at = now()
            WHERE id = ${c.voucher_id}::uuid`;
        return back.length;
      });
    },

    /** The order's claims, whatever their status. */
    claimsOf: (orderId: string) => claimsOf(orderId),
  };
}

export type VoucherClaims = ReturnType<typeof createVoucherClaims>;
