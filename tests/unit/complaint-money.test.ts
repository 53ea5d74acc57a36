/** Complaint amounts are compared in integer sen, never as floats, and only well-formed amounts count. */
import { ACTION_ACTOR, ALLOWED_ACTIONS, fromSen, toSen } from '../../workflows/complaint-contract';

describe('complaint money and rules', () => {
  it('reads decimal amounts as sen exactly', () => {
    expect(toSen('150000.00')).toBe(15_000_000);
    expect(toSen('0.1')).toBe(10);
    expect(toSen('20000.5')).toBe(2_000_050);
    expect(toSen('0.07')).toBe(7);
    // 0.1 + 0.2 style drift cannot happen: the sum of the parts is the whole.
    expect(toSen('0.10') + toSen('0.20')).toBe(toSen('0.30'));
  });

  it('refuses what is not a plain positive decimal', () => {
    for (const bad of ['-5', '1e9', 'abc', '', '1.234', ' 1', '1,5', '99999999999.00']) expect(toSen(bad)).toBeNaN();
  });

  it('writes sen back as a two-place decimal', () => {
    expect(fromSen(15_000_000)).toBe('150000.00');
    expect(fromSen(7)).toBe('0.07');
    expect(fromSen(toSen('20000.5'))).toBe('20000.50');
  });

  it('gives every action exactly one side, and no action to a finished case', () => {
    for (const actions of Object.values(ALLOWED_ACTIONS))
      for (const a of actions!) expect(ACTION_ACTOR[a]).toBeDefined();
    for (const final of ['resolved', 'withdrawn', 'closed', 'resolving'] as const)
      expect(ALLOWED_ACTIONS[final]).toBeUndefined();
    // The buyer may withdraw only before an agreement: never once a return was accepted.
    expect(ALLOWED_ACTIONS.awaiting_return).not.toContain('withdraw');
    expect(ALLOWED_ACTIONS.inspecting).not.toContain('withdraw');
  });
});
