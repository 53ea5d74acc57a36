/** GET /healthz (the process is up) and GET /readyz (each dependency the API uses answers a real request). */
import { createRouter } from '../router';
import { createRoute, z } from '@hono/zod-openapi';
import { checkReadiness, PROCESS_DEPENDENCIES } from '../../platform/health';
import type { Deps } from '../../platform/deps';

const CheckSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number(),
  error: z.string().optional(),
});

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    down: z.array(z.string()),
    checks: z.record(z.string(), CheckSchema),
  })
  .openapi('Readiness');

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['health'],
  summary: 'Liveness: the process is up',
  responses: {
    200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } },
  },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['health'],
  summary: 'Readiness: every dependency the API uses (Postgres, Redis, Temporal) answers',
  responses: {
    200: { description: 'all dependencies up', content: { 'application/json': { schema: ReadinessSchema } } },
    503: {
      description: 'a dependency is down; `down` names it',
      content: { 'application/json': { schema: ReadinessSchema } },
    },
  },
});

export function healthRoutes(deps: Deps) {
  return createRouter()
    .openapi(healthz, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readyz, async (c) => {
      const readiness = await checkReadiness(deps, PROCESS_DEPENDENCIES.api);
      return c.json(readiness, readiness.status === 'ready' ? 200 : 503);
    });
}
