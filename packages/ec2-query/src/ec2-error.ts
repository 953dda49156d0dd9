/**
 * The project's one error family, re-exported so every module of this package raises the same
 * `Ec2Error` the domain raises.
 */
export { Ec2Error, errors, isEc2Error } from "../../core/src/errors.ts";
