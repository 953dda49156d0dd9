/**
 * The project's one error family, re-exported so every module of this package raises the same
 * `Ec2Error` the domain raises. Imported by file because @ec2sim/core has no `src/index.ts` barrel
 * yet (its package.json points at one); switch to `from "@ec2sim/core"` once it exists. Both paths
 * resolve to the same module file, so `instanceof Ec2Error` holds across packages either way.
 */
export { Ec2Error, errors, isEc2Error } from "../../core/src/errors.ts";
