/**
 * Operators' account controls (admin only): disable an account, which ends its sessions at once
 * (refresh and access tokens alike), and enable it again (its old sessions stay ended; the owner
 * logs in again). Both are idempotent and each change is audited as `user.status_changed` with
 * the operator's id (services/auth/accounts.ts).
 */
import { z } from '@hono/zod-openapi';
import { guarded } from '../access';
import type { Services } from '../../services';
import type { AccountStatus } from '../../services/auth/accounts';
import { createRouter } from '../router';
import { errorResponses, IdParam, json } from '../schemas';

const AccountStatusSchema = z
  .object({
    id: z.string().uuid(),
    status: z.string(),
    role: z.enum(['customer', 'admin']),
    changed: z.boolean().openapi({ description: 'false when the account already was so (nothing recorded)' }),
  })
  .openapi('AccountStatus');

const tags = ['users (admin)'];
const statusRoute = (action: 'disable' | 'enable', summary: string) =>
  guarded('admin', {
    method: 'post',
    path: `/admin/users/{id}/${action}`,
    tags,
    summary,
    request: { params: IdParam },
    responses: { 200: json(AccountStatusSchema), ...errorResponses(400, 401, 403, 404, 409) },
  });

const routes = {
  disable: statusRoute(
    'disable',
    "Disable an account: login refused, every session ended at once (not one's own, nor the last admin)",
  ),
  enable: statusRoute('enable', 'Enable a disabled account; its owner logs in again'),
};

export function userAdminRoutes(services: Services) {
  const app = createRouter();
  const set = async (id: string, status: AccountStatus, actorId: string) => {
    const { account, changed } = await services.accounts.setStatus(id, status, actorId);
    return { id: account.userId, status: account.status, role: account.role, changed };
  };
  return app
    .openapi(routes.disable, async (c) =>
      c.json(await set(c.req.valid('param').id, 'disabled', c.get('user').sub), 200),
    )
    .openapi(routes.enable, async (c) => c.json(await set(c.req.valid('param').id, 'active', c.get('user').sub), 200));
}
