/** @ec2sim/core — the pure model of EC2 and AMIs. */

export { credentialsFor, type NewAccount } from "./accounts.ts";
export type {
  Ec2Action,
  Ec2Input,
  Ec2Output,
  IamAction,
  IamInput,
  IamOutput,
  SsmAction,
  SsmInput,
  SsmOutput,
  StsAction,
  StsInput,
  StsOutput,
} from "./action-types.ts";
export {
  billedSeconds,
  type CostKind,
  type CostLine,
  type CostReport,
  costReport,
  SECONDS_PER_MONTH,
} from "./billing.ts";
export { catalogImageId, catalogImages, latestCatalogImage } from "./catalog.ts";
export { CATALOG_IMAGES, GUEST_BASES, INSTANCE_TYPES, REGIONS, regionByName, STORAGE_PRICES } from "./catalog-data.ts";
export {
  type ClockState,
  checkAdvance,
  checkSpeed,
  DEFAULT_EPOCH,
  formatDuration,
  MAX_ADVANCE_MS,
  MAX_SIM_TIME,
  MAX_SPEED,
  MIN_SPEED,
  parseDuration,
} from "./clock.ts";
export { PARTIAL_ACTIONS } from "./coverage-notes.ts";
export type * from "./data-types.ts";
export { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./defaults.ts";
export { Ec2Error, errors, isEc2Error } from "./errors.ts";
export type { DomainEvent, EventEnvelope, EventOf, EventType, GuestEffect } from "./events.ts";
export { guestView, rootFileSystem } from "./guest/access.ts";
export { userDataText } from "./guest/cloud-init.ts";
export { BLOCK_BYTES, BLOCKS_PER_GIB } from "./guest/fs.ts";
export { baseFileSystem, enabledServices, guestBase, installedPackages, repoPackages } from "./guest/os.ts";
export { tokenize } from "./guest/shell.ts";
export { ID_PREFIX, looksLikeId, stableId } from "./ids.ts";
export { canLaunch, type SecretFinding, scanImageForSecrets, secretIn } from "./images.ts";
export { TIMING } from "./instances.ts";
export {
  type GeneratedKey,
  type KeyMaterial,
  MAX_PUBLIC_KEY_CHARS,
  nodeKeyMaterial,
  rsaKeyFrom,
} from "./key-material.ts";
export type * from "./model.ts";
export { STATE_CODE } from "./model.ts";
export { ownPrimaryId } from "./network-interfaces.ts";
export {
  ACTIONS,
  type CallContext,
  type CallResult,
  type EventListener,
  type ModelTyped,
  SANDBOX_ONLY_ACTIONS,
  Sandbox,
  type SandboxOptions,
} from "./sandbox.ts";
export { restoreState, type SandboxSnapshot, SNAPSHOT_FORMAT, snapshotState } from "./snapshot.ts";
export type { RegionState, SandboxState } from "./state.ts";
export {
  UNSUPPORTED_FEATURES,
  UNSUPPORTED_FEATURES_DOC,
  type UnsupportedFeature,
  unsupportedFeatureOfAction,
  unsupportedFeatureOfTerraformType,
} from "./unsupported-features.ts";
export { snapshotStoredBytes } from "./volumes.ts";
