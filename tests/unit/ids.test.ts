import { stableId } from '../../platform/ids';

describe('stableId', () => {
  it('is the same UUID for the same key and a different one for another key', () => {
    const id = stableId('checkout:user-1:key-1');
    expect(id).toBe(stableId('checkout:user-1:key-1'));
    expect(id).not.toBe(stableId('checkout:user-1:key-2'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
