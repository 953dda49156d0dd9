/**
 * The project's one error family, re-exported so every module of this package raises the same
 * `Ec2Error` the domain raises (`instanceof Ec2Error` holds across packages).
 */
export { Ec2Error, errors, isEc2Error } from "@ec2sim/core";
