import { MAX_BODY_BYTES } from '../../api/app';
import { client, type Client } from '../support/http';
import { useServer } from '../support/server';

describe('API error handling and documentation', () => {
  const server = useServer();
  let api: Client;
  beforeAll(() => {
    api = client(server().base);
  });

  it('refuses a body over the size cap with 413 in the error shape', async () => {
    const res = await api.raw('POST', '/auth/register', { raw: JSON.stringify({ email: 'x'.repeat(MAX_BODY_BYTES) }) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });

  it('answers malformed JSON with a 400, not a 500', async () => {
    const res = await api.raw('POST', '/auth/login', { raw: '{"email": ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await api.get('/no/such/route');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('documents every route in /openapi.json and serves Swagger UI at /docs', async () => {
    const doc = await api.get('/openapi.json');
    const routes = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'POST /auth/register',
        'POST /auth/login',
        'POST /auth/refresh',
        'POST /auth/logout',
        'POST /auth/otp/send',
        'POST /auth/otp/verify',
        'POST /auth/password/reset',
        'POST /auth/password/reset/confirm',
        'GET /users/me',
        'PATCH /users/me',
        'GET /users/me/addresses',
        'POST /users/me/addresses',
        'PATCH /users/me/addresses/{id}',
        'DELETE /users/me/addresses/{id}',
        'GET /products',
        'POST /products',
        'GET /products/inventory',
        'GET /products/{id}',
        'PATCH /products/{id}',
        'GET /products/{id}/inventory',
        'PUT /products/{id}/inventory',
        'POST /inventory/reserve',
        'POST /inventory/release',
        'POST /inventory/deduct',
        'GET /cart',
        'DELETE /cart',
        'POST /cart/items',
        'PATCH /cart/items/{id}',
        'DELETE /cart/items/{id}',
        'POST /cart/vouchers',
        'DELETE /cart/vouchers/{code}',
        'POST /shipping/rates',
        'POST /checkout',
        'GET /orders',
        'GET /orders/{id}',
        'POST /orders/{id}/cancel',
        'POST /payments/intent',
        'POST /payments/confirm',
        'POST /payments/webhook',
        'GET /payments/{orderId}',
        'GET /payments/methods',
        'POST /payments/{orderId}/method',
        'POST /payments/{orderId}/refund-account',
        'POST /admin/refunds/{id}/transferred',
        'GET /admin/refunds',
        'POST /admin/vouchers',
        'GET /admin/vouchers/{id}',
        'PATCH /admin/vouchers/{id}',
        'POST /admin/users/{id}/disable',
        'POST /admin/users/{id}/enable',
        'POST /refunds',
        'POST /admin/payments/reconcile',
        'GET /admin/payments/reconciliation-issues',
        'GET /admin/stuck-work',
        'GET /search',
        'GET /search/suggestions',
        'GET /recommendations/popular',
        'GET /recommendations/similar/{productId}',
        'GET /recommendations/user/{id}',
        'GET /notifications',
        'PATCH /notifications/{id}/read',
        'GET /analytics/dashboard',
        'GET /analytics/orders',
        'GET /shipments/{orderId}',
        'GET /shipments/{id}/tracking',
        'POST /shipments/webhook',
        'GET /admin/shipments',
        'GET /admin/shipments/stuck',
        'POST /admin/shipments/{orderId}/rebook',
        'POST /orders/{id}/complaint',
        'GET /orders/{id}/complaint',
        'PATCH /orders/{id}/complaint',
        'POST /orders/{id}/complaint/resolve',
        'GET /admin/complaints',
        'GET /admin/complaints/{id}',
        'POST /admin/complaints/{id}/answer',
        'POST /admin/complaints/{id}/offer',
        'POST /admin/complaints/{id}/decide',
      ].sort(),
    );
    expect(doc.body.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const docs = await fetch(`${server().base}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
  });
});
