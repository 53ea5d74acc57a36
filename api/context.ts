/** The typed Hono environment shared by every route module. */
import type { AccessClaims, TokenService } from '../services/auth/tokens';

/** What the route guards verify tokens with (api/middleware/auth.ts), set once per request by api/app.ts. */
export interface AuthDeps {
  tokens: TokenService;
  /** Signs and verifies service-to-service tokens. */
  internalSecret: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The caller's address for per-address limits (api/middleware/rate-limit.ts). */
    clientAddress: string;
    auth: AuthDeps;
    user: AccessClaims;
    service: string;
  };
}
