export { isUnwritable } from "./fsutil.ts";
export { JournalStore, type JournalStoreOptions, type RecoveryNote } from "./journal-store.ts";
export { MemoryStore, type MemoryStoreOptions } from "./memory-store.ts";
export {
  isConnectionError,
  MIGRATIONS,
  type Migration,
  PostgresStore,
  type PostgresStoreOptions,
} from "./postgres-store.ts";
export type {
  JournalEntry,
  LoadedSandbox,
  SandboxMeta,
  SandboxStore,
  SharedSandboxStore,
  StoreSubscription,
} from "./store.ts";
export {
  isSharedStore,
  SnapshotJson,
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
