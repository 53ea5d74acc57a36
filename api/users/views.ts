/** Maps stored rows to the JSON the API returns (snake_case, the seed's column names). */
import type { Address, User } from '../../generated/prisma/client';

export const toUserView = (u: User) => ({
  id: u.id,
  email: u.email,
  first_name: u.first_name,
  last_name: u.last_name,
  phone: u.phone,
  created_at: u.created_at.toISOString(),
  updated_at: u.updated_at.toISOString(),
});

export const toAddressView = (a: Address) => ({ ...a, created_at: a.created_at.toISOString() });
