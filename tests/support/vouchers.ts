/** An operator's voucher for a test, through the real admin route, valid from an hour ago to an hour on. */
import type { Client } from './http';

const HOUR = 3_600_000;

export async function newVoucher(api: Client, admin: string, terms: Record<string, unknown>) {
  const res = await api.post(
    '/admin/vouchers',
    {
      valid_from: new Date(Date.now() - HOUR).toISOString(),
      valid_until: new Date(Date.now() + HOUR).toISOString(),
      ...terms,
    },
    admin,
  );
  if (res.status !== 201) throw new Error(`voucher not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; code: string };
}
