/** The host's answers to store trouble, in EC2's error family (the endpoint renders them as it renders EC2's). */
import { Ec2Error } from "@ec2sim/core";
import { isUnwritable } from "../store/fsutil.ts";
import { StoreClosedError, StoreUnavailableError } from "../store/store.ts";

export const serviceUnavailable = (why: string): Ec2Error =>
  new Ec2Error("ServiceUnavailable", `The sandbox is unavailable: ${why}. Please retry your request.`, 503);

export function sandboxNotFound(name: string): Ec2Error {
  return new Ec2Error("InvalidSandbox.NotFound", `The sandbox '${name}' does not exist`, 404);
}

/** A store that cannot be reached right now (PostgreSQL down) answers ServiceUnavailable (503), not InternalError. */
export const storeDown = (e: unknown): never => {
  if (e instanceof StoreUnavailableError) throw serviceUnavailable("its store cannot be reached");
  if (isUnwritable(e) || e instanceof StoreClosedError)
    throw serviceUnavailable(`its store cannot be written right now (${(e as Error).message})`);
  throw e;
};

/** `events()` cannot reach back before what the store compacted (only when told to: `compactOnSnapshot`, `compact`). */
export const eventsCompacted = (name: string, seq: number): Ec2Error =>
  new Ec2Error(
    "InvalidSandbox.EventsCompacted",
    `The events of sandbox '${name}' up to seq ${seq} were compacted into a snapshot; the journal holds the events after it`,
    410,
  );
