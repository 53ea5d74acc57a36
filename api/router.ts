/** A route module's Hono instance: typed context, and zod failures answered as 400 naming each field. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context';
import { validationHook } from './middleware/validation';

export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
