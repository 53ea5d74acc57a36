/** The user service's store: profiles and Indonesian shipping addresses. */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/clients/prisma';
import type { Config } from '../../platform/config';
import { AppError } from '../../platform/errors';

export interface NewProfile {
  id?: string;
  email: string;
  first_name: string;
  last_name: string;
  phone: string;
}

export type ProfileChanges = Partial<Pick<NewProfile, 'first_name' | 'last_name' | 'phone'>>;

export interface AddressFields {
  label: string;
  province_id: number;
  province_name: string;
  city_id: number;
  city_name: string;
  district_id: number;
  district_name: string;
  subdistrict_id: number;
  subdistrict_name: string;
  street: string;
  postal_code: string;
  is_default?: boolean;
}

const notFound = () => new AppError('not_found', 'address not found');

/** Creates a profile inside the caller's transaction (registration spans auth and users). */
export function createProfile(tx: Prisma.TransactionClient, profile: NewProfile) {
  return tx.user.create({ data: profile });
}

export function createUserStore(db: Db, limits: Config['users']) {
  /** Clears the user's other default so the one-default-per-user index never trips. */
  async function unsetDefault(tx: Prisma.TransactionClient, userId: string, exceptId?: string) {
    await tx.address.updateMany({
      where: { user_id: userId, is_default: true, ...(exceptId ? { NOT: { id: exceptId } } : {}) },
      data: { is_default: false },
    });
  }

  return {
    async getProfile(userId: string) {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) throw new AppError('not_found', 'user not found');
      return user;
    },

    updateProfile: (userId: string, changes: ProfileChanges) =>
      db.user.update({ where: { id: userId }, data: changes }),

    listAddresses: (userId: string) =>
      db.address.findMany({ where: { user_id: userId }, orderBy: [{ is_default: 'desc' }, { created_at: 'asc' }] }),

    /**
     * The user's first address becomes the default whether or not they asked. At most
     * `maxAddresses` per user: the user's row is locked first, so two concurrent POSTs cannot
     * both see room for one more.
     */
    createAddress: (userId: string, fields: AddressFields) =>
      db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM users.users WHERE id = ${userId}::uuid FOR UPDATE`;
        const count = await tx.address.count({ where: { user_id: userId } });
        if (count >= limits.maxAddresses) {
          throw new AppError('limit_exceeded', `at most ${limits.maxAddresses} saved addresses: delete one first`, {
            limit: 'saved_addresses',
            max: limits.maxAddresses,
          });
        }
        const isDefault = fields.is_default === true || count === 0;
        if (isDefault) await unsetDefault(tx, userId);
        return tx.address.create({ data: { ...fields, user_id: userId, is_default: isDefault } });
      }),

    /** Another user's address id is answered exactly like a missing one: 404. */
    updateAddress: (userId: string, id: string, changes: Partial<AddressFields>) =>
      db.$transaction(async (tx) => {
        const existing = await tx.address.findFirst({ where: { id, user_id: userId } });
        if (!existing) throw notFound();
        if (changes.is_default === true) await unsetDefault(tx, userId, id);
        return tx.address.update({ where: { id }, data: changes });
      }),

    deleteAddress: (userId: string, id: string) =>
      db.$transaction(async (tx) => {
        const existing = await tx.address.findFirst({ where: { id, user_id: userId } });
        if (!existing) throw notFound();
        await tx.address.delete({ where: { id } });
        if (existing.is_default) {
          const next = await tx.address.findFirst({ where: { user_id: userId }, orderBy: { created_at: 'asc' } });
          if (next) await tx.address.update({ where: { id: next.id }, data: { is_default: true } });
        }
      }),

    getAddress: async (userId: string, id: string) => {
      const address = await db.address.findFirst({ where: { id, user_id: userId } });
      if (!address) throw notFound();
      return address;
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
