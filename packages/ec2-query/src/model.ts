/**
 * Where the EC2 model's schemas come from. From the sources: the whole `@aws-sdk/client-ec2`
 * module (its schema exports, `DescribeImages$` …). The published build (apps/cli/scripts/build.ts)
 * replaces this module with one that holds only the schemas of the actions core serves, the list of
 * every action's name, and a synchronous loader of the rest (a separate file, read on first use), so
 * the server never loads an SDK client and parses only the schemas it uses.
 */
import * as ec2Model from "@aws-sdk/client-ec2";

/** Model exports by name: at least every action core serves. */
export const servedModel: Readonly<Record<string, unknown>> = ec2Model;

/** The whole model (the same object here; loaded on first use in the build). */
export const loadFullModel = (): Readonly<Record<string, unknown>> => ec2Model;

/** Every action's name when `servedModel` does not hold them all (the build); else undefined. */
export const MODEL_ACTIONS: readonly string[] | undefined = undefined;
