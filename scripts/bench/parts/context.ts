/** What every benchmark part receives, and what it reports. */
import type { Client } from '@temporalio/client';
import type { Config } from '../../../platform/config';
import type { Db } from '../../../platform/clients/prisma';
import type { Deps } from '../../../platform/deps';
import type { Services } from '../../../services';
import type { PaymentGateway } from '../../../services/payments/gateway';
import type { Invariants } from '../lib/invariants';
import type { Shop } from '../lib/shop';

export interface BenchContext {
  base: string;
  quick: boolean;
  config: Config;
  shop: Shop;
  admin: string;
  db: Db;
  temporal: Client;
  gateway: PaymentGateway;
  /** Every client of the stack (Kafka, Elasticsearch, Redis...), for the parts that go around the API. */
  deps: Deps;
  /** Every store, built once from `deps` (services/index.ts): what the consumers under test are handed. */
  services: Services;
}

/** One ratio: the measured figure over its bare baseline from the same run. */
export interface Ratio {
  name: string;
  value: number;
  measured: number;
  baseline: number;
  unit: string;
  /** The goal, with its direction. */
  goal?: string;
}

export interface PartResult {
  figures: Record<string, number | string>;
  ratios: Ratio[];
  /** Present for parts that move stock or money. */
  invariants?: Invariants;
  skipped?: string;
}

export const ratio = (name: string, measured: number, baseline: number, unit: string, goal?: string): Ratio => ({
  name,
  value: baseline > 0 ? Number((measured / baseline).toFixed(3)) : 0,
  measured: Number(measured.toFixed(2)),
  baseline: Number(baseline.toFixed(2)),
  unit,
  goal,
});
