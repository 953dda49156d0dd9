/** EC2's DNS names for private and public IPv4 addresses, as each region spells them. */
export const privateDnsName = (region: string, ip: string) =>
  `ip-${ip.replaceAll(".", "-")}.${region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`}`;

export const publicDnsName = (region: string, ip: string | undefined) =>
  ip
    ? `ec2-${ip.replaceAll(".", "-")}.${region === "us-east-1" ? "compute-1.amazonaws.com" : `${region}.compute.amazonaws.com`}`
    : "";
