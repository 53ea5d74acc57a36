/**
 * The product page's view signal: a signed-in shopper's bearer token is read optionally (the page
 * is public) and checked off the request path, so neither a bad token nor a slow Redis or Kafka
 * can slow or fail the page. At most `MAX_PENDING` checks wait at once; beyond that views are dropped.
 */
import type { TokenService } from '../../services/auth/tokens';
import type { ViewPublisher } from '../../services/recommendations/view-publisher';

const MAX_PENDING = 200;

export type ViewRecorder = (authorization: string | undefined, productId: string) => void;

export function createViewRecorder(tokens: TokenService, publisher: ViewPublisher): ViewRecorder {
  let pending = 0;
  return (authorization, productId) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token || pending >= MAX_PENDING) return;
    pending += 1;
    // After the response is on its way: even the signature check is no work for the page.
    setImmediate(() => {
      tokens
        .verifyAccess(token)
        .then((claims) => {
          if (claims.role === 'customer') publisher.record(claims.sub, productId);
        })
        .catch(() => undefined) // an invalid token on a public page is simply anonymous
        .finally(() => {
          pending -= 1;
        });
    });
  };
}
