export type { JournalEntry, LoadedSandbox, SandboxMeta, SandboxStore } from "./store.ts";
export {
  StoreClosedError,
  StoreConflictError,
  StoreCorruptionError,
  StoreError,
  StoreExistsError,
  StoreLockedError,
  StoreNotFoundError,
} from "./store.ts";
export { JournalStore, type JournalStoreOptions, type RecoveryNote } from "./journal-store.ts";
export { MemoryStore } from "./memory-store.ts";
