/**
 * Who a caller is for rate limiting (platform/rate-limiter.ts counts the calls): its address,
 * decided once per request by `clientAddress` and read by `clientIp`. X-Forwarded-For is anyone's
 * to write, so it is believed only when the direct peer is a trusted proxy (TRUSTED_PROXIES,
 * addresses or CIDRs; none by default): then the right-most address in it that is not itself a
 * trusted proxy is the client (the left part is whatever the client chose to send). Otherwise the
 * socket's address.
 */
import { BlockList, isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppEnv } from '../context';

const bare = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** The trusted proxies as a matcher; entries are checked by platform/config.ts. */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    const [net, prefix] = entry.split('/');
    if (prefix === undefined) list.addAddress(net!, family(net!));
    else list.addSubnet(net!, Number(prefix), family(net!));
  }
  return (address) => entries.length > 0 && isIP(address) !== 0 && list.check(address, family(address));
}

/** The client's address given the socket peer and the X-Forwarded-For header(s). */
export function clientAddressOf(peer: string, forwardedFor: string | undefined, trusted: (a: string) => boolean) {
  let client = bare(peer);
  if (!trusted(client) || !forwardedFor) return client;
  const hops = forwardedFor.split(',').map(bare);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // Garbage in the chain: nothing left of it can be believed; the last proxy that spoke is the client.
    if (isIP(hop) === 0) return client;
    client = hop;
    if (!trusted(hop)) return hop;
  }
  return client;
}

export function clientAddress(trusted: readonly string[]): MiddlewareHandler<AppEnv> {
  const isTrusted = trustedProxies(trusted);
  return async (c, next) => {
    let peer = 'unknown';
    try {
      peer = getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      // Not on a node socket (app.request in a unit test): no address to go by.
    }
    c.set('clientAddress', clientAddressOf(peer, c.req.header('x-forwarded-for'), isTrusted));
    await next();
  };
}

export function clientIp(c: Context): string {
  return (c.get('clientAddress') as string | undefined) ?? 'unknown';
}
