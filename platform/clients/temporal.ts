/** Temporal client over a lazily opened connection, so the API starts even while Temporal is down. */
import { Client, Connection } from '@temporalio/client';
import { temporalClientInterceptors } from '../telemetry/temporal';

export interface TemporalHandle {
  connection: Connection;
  client: Client;
}

export function createTemporal(address: string, namespace: string): TemporalHandle {
  const connection = Connection.lazy({ address });
  return { connection, client: new Client({ connection, namespace, interceptors: temporalClientInterceptors() }) };
}
