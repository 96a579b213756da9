import type { StoreConfig } from '../config/config';
import { PostgresStore } from './postgres-store';
import { SqliteStore } from './sqlite-store';
import type { Store } from './store';

/** Opens (and initialises) the store the configuration names. */
export async function createStore(config: StoreConfig): Promise<Store> {
  const store = config.kind === 'sqlite' ? new SqliteStore(config.sqlitePath) : new PostgresStore({ url: config.postgresUrl, poolSize: config.poolSize });
  await store.init();
  return store;
}
