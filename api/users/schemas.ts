/** Request and response schemas of the user routes (exported for tests). */
import { z } from '@hono/zod-openapi';
import { phone } from '../auth/schemas';
import { nameText } from '../schemas';

export const UserSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    first_name: z.string(),
    last_name: z.string(),
    phone: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('User');

/** Only these may change; email, role and ids are refused by name (strict object). */
export const ProfilePatch = z
  .strictObject({
    first_name: nameText(100).optional(),
    last_name: nameText(100).optional(),
    phone: phone.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'send at least one of first_name, last_name, phone')
  .openapi('ProfilePatch');

// The seed stores region ids as INT: larger ids would overflow the column, so they are refused here.
const regionId = z.number().int().positive().max(2_147_483_647);
const regionName = nameText(100);

const addressFields = {
  label: nameText(50).openapi({ example: 'Rumah' }),
  province_id: regionId.openapi({ example: 31 }),
  province_name: regionName.openapi({ example: 'DKI Jakarta' }),
  city_id: regionId.openapi({ example: 3171 }),
  city_name: regionName.openapi({ example: 'Jakarta Selatan' }),
  district_id: regionId.openapi({ example: 317101 }),
  district_name: regionName.openapi({ example: 'Kebayoran Baru' }),
  subdistrict_id: regionId.openapi({ example: 31710110 }),
  subdistrict_name: regionName.openapi({ example: 'Senayan' }),
  street: nameText(255).openapi({ example: 'Jl. Asia Afrika No. 8' }),
  postal_code: z
    .string()
    .regex(/^[0-9]{5}$/, 'five digits')
    .openapi({ example: '10270' }),
};

const AddressFields = z.strictObject({ ...addressFields, is_default: z.boolean().optional() });

export const AddressBody = AddressFields.openapi('AddressRequest');

export const AddressPatch = AddressFields.partial()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field')
  .openapi('AddressPatch');

export const AddressSchema = z
  .object({
    id: z.string().uuid(),
    user_id: z.string().uuid(),
    ...addressFields,
    is_default: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Address');
