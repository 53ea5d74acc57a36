import { SCENARIOS, TRACKING_STATUSES } from '../../contracts/carrier';
import { emissionPlan, isPickedUp, journeyFor, scanDelaysMs } from '../../simulators/carrier/scenarios';

const statuses = (s: (typeof SCENARIOS)[number]) => journeyFor(s).map((j) => j.status);

describe('carrier scenario timelines', () => {
  it('gives every scenario a journey of known statuses, positions 1..n, scanned in time order', () => {
    for (const scenario of SCENARIOS) {
      const journey = journeyFor(scenario);
      expect(journey.map((j) => j.position)).toEqual(journey.map((_, i) => i + 1));
      for (const j of journey) expect(TRACKING_STATUSES).toContain(j.status);
      const times = journey.map((j) => j.atSeconds);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });

  it('ends each journey where the scenario says', () => {
    expect(statuses('normal').at(-1)).toBe('delivered');
    expect(statuses('failed_attempt').slice(-3)).toEqual(['delivery_failed', 'out_for_delivery', 'delivered']);
    expect(statuses('returned').slice(-2)).toEqual(['delivery_failed', 'returned_to_sender']);
    expect(statuses('returned')).not.toContain('delivered');
    expect(statuses('lost')).toEqual(['order_received', 'packing', 'picked_up']);
    expect(statuses('no_pickup')).toEqual(['order_received']);
    expect(statuses('duplicated')).toEqual(statuses('normal'));
    expect(statuses('out_of_order')).toEqual(statuses('normal'));
    // A recipient who will not pay: one failed attempt, no second one, back to the shipper.
    expect(statuses('refused').slice(-3)).toEqual(['out_for_delivery', 'delivery_failed', 'returned_to_sender']);
    expect(statuses('refused').filter((s) => s === 'out_for_delivery')).toHaveLength(1);
    expect(journeyFor('refused').at(-2)!.description).toMatch(/refused the COD parcel/);
  });

  it('takes about a day at speed 1 and seconds at speed 3600', () => {
    const journey = journeyFor('normal');
    expect(scanDelaysMs(journey, { speed: 1 }).at(-1)).toBe(journey.at(-1)!.atSeconds * 1000);
    expect(journey.at(-1)!.atSeconds / 3600).toBeGreaterThan(12);
    expect(scanDelaysMs(journey, { speed: 3600 }).at(-1)).toBeLessThan(60_000);
  });

  it('spaces steps stepMs apart when a test asks, whatever the speed', () => {
    expect(scanDelaysMs(journeyFor('normal'), { speed: 1, stepMs: 50 })).toEqual([0, 50, 100, 150, 200, 250, 300]);
  });

  it('sends a plain scenario once per scan, at its scan time', () => {
    const scan = scanDelaysMs(journeyFor('failed_attempt'), { speed: 1, stepMs: 10 });
    expect(emissionPlan('failed_attempt', scan)).toEqual(scan.map((ms, step) => ({ step, sendAfterMs: ms })));
  });

  it('duplicated sends every scan twice at once', () => {
    const plan = emissionPlan('duplicated', [0, 10, 20]);
    expect(plan).toEqual([
      { step: 0, sendAfterMs: 0 },
      { step: 0, sendAfterMs: 0 },
      { step: 1, sendAfterMs: 10 },
      { step: 1, sendAfterMs: 10 },
      { step: 2, sendAfterMs: 20 },
      { step: 2, sendAfterMs: 20 },
    ]);
  });

  it('out_of_order swaps neighbours and never sends a scan before it happened', () => {
    const scan = [0, 10, 20, 30, 40, 50, 60];
    const plan = emissionPlan('out_of_order', scan);
    expect(plan.map((e) => e.step + 1)).toEqual([1, 3, 2, 5, 4, 7, 6]);
    for (const e of plan) expect(e.sendAfterMs).toBeGreaterThanOrEqual(scan[e.step]!);
    const sends = plan.map((e) => e.sendAfterMs);
    expect([...sends].sort((a, b) => a - b)).toEqual(sends);
    expect(emissionPlan('out_of_order', [0, 10, 20, 30]).map((e) => e.step + 1)).toEqual([1, 3, 2, 4]);
  });

  it('counts a parcel as picked up once it has left the shipper', () => {
    expect(isPickedUp(['order_received', 'packing'])).toBe(false);
    expect(isPickedUp(['order_received', 'packing', 'picked_up'])).toBe(true);
  });
});
