export type { JournalEntry, LoadedSandbox, SandboxMeta, SandboxStore, StoreSubscription } from "./store.ts";
export {
  StoreClosedError,
  StoreCompactedError,
  StoreConflictError,
  StoreCorruptionError,
  StoreError,
  StoreExistsError,
  StoreLockedError,
  StoreNotFoundError,
  StoreUnavailableError,
} from "./store.ts";
export { JournalStore, type JournalStoreOptions, type RecoveryNote } from "./journal-store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.ts";
export { PostgresStore, MIGRATIONS, isConnectionError, type Migration, type PostgresStoreOptions } from "./postgres-store.ts";
