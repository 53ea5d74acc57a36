/** The typed Hono environment shared by every route module. */
import type { AccessClaims } from '../services/auth/tokens';

export interface AppEnv {
  Variables: {
    requestId: string;
    user: AccessClaims;
    service: string;
  };
}
