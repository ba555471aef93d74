import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

/** A Temporal client for the configured server and namespace. Close `client.connection` when done. */
export async function createTemporalClient(cfg: Pick<Config, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE'>) {
  const connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS });
  return new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE });
}
