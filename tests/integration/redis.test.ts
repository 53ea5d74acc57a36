import { unique, useDeps } from '../support/deps';

describe('Redis through ioredis', () => {
  const deps = useDeps();

  it('sets a key with a TTL, reads it, and sees it expire', async () => {
    const { redis } = deps();
    const key = `test:${unique()}`;
    await redis.set(key, 'cart-json', 'PX', 300);
    expect(await redis.get(key)).toBe('cart-json');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 450));
    expect(await redis.get(key)).toBeNull();
  });
});
