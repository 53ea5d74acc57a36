/** The signed-in user's profile and addresses. Every query is scoped to the token's user. */
import { createRouter } from '../router';
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import { body, errorResponses, IdParam, json } from '../schemas';
import { AddressBody, AddressPatch, AddressSchema, ProfilePatch, UserSchema } from './schemas';
import { toAddressView, toUserView } from './views';

const tags = ['users'];

const routes = {
  me: guarded('user', {
    method: 'get',
    path: '/users/me',
    tags,
    summary: 'My profile',
    responses: { 200: json(UserSchema), ...errorResponses(401) },
  }),
  patchMe: guarded('user', {
    method: 'patch',
    path: '/users/me',
    tags,
    summary: 'Change my name or phone',
    request: { body: body(ProfilePatch) },
    responses: { 200: json(UserSchema), ...errorResponses(400, 401) },
  }),
  listAddresses: guarded('user', {
    method: 'get',
    path: '/users/me/addresses',
    tags,
    summary: 'My addresses (default first)',
    responses: { 200: json(z.object({ data: z.array(AddressSchema) })), ...errorResponses(401) },
  }),
  createAddress: guarded('user', {
    method: 'post',
    path: '/users/me/addresses',
    tags,
    summary: 'Add an address (the first one becomes the default; 409 limit_exceeded past MAX_ADDRESSES_PER_USER)',
    request: { body: body(AddressBody) },
    responses: { 201: json(AddressSchema, 'created'), ...errorResponses(400, 401, 409) },
  }),
  patchAddress: guarded('user', {
    method: 'patch',
    path: '/users/me/addresses/{id}',
    tags,
    summary: 'Change one of my addresses',
    request: { params: IdParam, body: body(AddressPatch) },
    responses: { 200: json(AddressSchema), ...errorResponses(400, 401, 404) },
  }),
  deleteAddress: guarded('user', {
    method: 'delete',
    path: '/users/me/addresses/{id}',
    tags,
    summary: 'Delete one of my addresses',
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...errorResponses(401, 404) },
  }),
};

export function userRoutes(services: Services) {
  const app = createRouter();
  const { users } = services;

  return app
    .openapi(routes.me, async (c) => c.json(toUserView(await users.getProfile(c.get('user').sub)), 200))
    .openapi(routes.patchMe, async (c) =>
      c.json(toUserView(await users.updateProfile(c.get('user').sub, c.req.valid('json'))), 200),
    )
    .openapi(routes.listAddresses, async (c) =>
      c.json({ data: (await users.listAddresses(c.get('user').sub)).map(toAddressView) }, 200),
    )
    .openapi(routes.createAddress, async (c) =>
      c.json(toAddressView(await users.createAddress(c.get('user').sub, c.req.valid('json'))), 201),
    )
    .openapi(routes.patchAddress, async (c) => {
      const address = await users.updateAddress(c.get('user').sub, c.req.valid('param').id, c.req.valid('json'));
      return c.json(toAddressView(address), 200);
    })
    .openapi(routes.deleteAddress, async (c) => {
      await users.deleteAddress(c.get('user').sub, c.req.valid('param').id);
      return c.body(null, 204);
    });
}
