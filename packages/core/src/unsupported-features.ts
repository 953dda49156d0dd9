/**
 * The EC2 features around instances that the sandbox leaves out, named once for every surface: the
 * endpoint's `UnsupportedOperation` for an action of the model core lacks, the Terraform provider's
 * `terraform validate` diagnostic for the hashicorp/aws types of the same feature, docs/COVERAGE.md's
 * notes, and docs/NETWORKING.md (a test checks that it names each feature). Plain data and no
 * imports, so the provider (spawned for every terraform command) loads it alone
 * (`@ec2sim/core/unsupported-features`).
 */

export interface UnsupportedFeature {
  /** What the feature is called in messages ("VPC peering"): the words docs/NETWORKING.md uses. */
  readonly feature: string;
  /** EC2 actions of the feature, by name (tested only against actions core does not serve). */
  readonly actions?: RegExp;
  /** Prefixes of the hashicorp/aws resource types of the feature (`aws_vpn_` covers `aws_vpn_gateway`). */
  readonly terraform?: readonly string[];
}

/** Where a user reads what is left out. */
export const UNSUPPORTED_FEATURES_DOC = "docs/NETWORKING.md";

/** First match wins, so narrower patterns come first (transit gateway prefix-list references are transit gateways). */
export const UNSUPPORTED_FEATURES: readonly UnsupportedFeature[] = [
  { feature: "VPC peering", actions: /VpcPeeringConnection/, terraform: ["aws_vpc_peering_connection"] },
  { feature: "transit gateways", actions: /TransitGateway/, terraform: ["aws_ec2_transit_gateway"] },
  { feature: "VPC flow logs", actions: /FlowLogs/, terraform: ["aws_flow_log"] },
  {
    feature: "VPC endpoints (gateway and interface endpoints, PrivateLink services)",
    actions: /VpcEndpoint|EndpointServicePrivateDns/,
    terraform: ["aws_vpc_endpoint"],
  },
  {
    feature: "egress-only internet gateways (IPv6)",
    actions: /EgressOnlyInternetGateway/,
    terraform: ["aws_egress_only_internet_gateway"],
  },
  {
    feature: "IPv6 (CIDR blocks of VPCs and subnets, IPv6 addresses, IPv6-only subnets)",
    actions: /Ipv6|SubnetCidrBlock/,
    terraform: ["aws_vpc_ipv6_cidr_block_association"],
  },
  {
    feature: "additional CIDR blocks of VPCs (secondary IPv4, IPv6)",
    actions: /VpcCidrBlock/,
    terraform: ["aws_vpc_ipv4_cidr_block_association"],
  },
  {
    feature: "site-to-site VPN (virtual private gateways, customer gateways, VPN connections)",
    actions: /Vpn(Gateway|Connection|Tunnel|Concentrator)|CustomerGateway|VgwRoutePropagation/,
    terraform: ["aws_vpn_", "aws_customer_gateway"],
  },
  { feature: "Client VPN", actions: /ClientVpn/ },
  {
    feature: "custom network ACLs (only each VPC's default ACL, which allows everything)",
    actions: /NetworkAcl/,
    terraform: ["aws_network_acl", "aws_default_network_acl"],
  },
  { feature: "DHCP option sets", actions: /DhcpOptions/, terraform: ["aws_vpc_dhcp_options"] },
  { feature: "IPAM and bring-your-own IP addresses", actions: /Ipam|Byoip|PublicIpv4Pool/ },
  { feature: "prefix lists", actions: /PrefixList/ },
  { feature: "traffic mirroring", actions: /TrafficMirror/ },
  { feature: "Reachability Analyzer and Network Access Analyzer", actions: /NetworkInsights/ },
  { feature: "route servers", actions: /RouteServer/ },
  {
    feature: "Outposts, Local Zones and Wavelength networking (local and carrier gateways, customer-owned IPs)",
    actions: /LocalGateway|CarrierGateway|Coip/,
  },
  { feature: "Verified Access", actions: /VerifiedAccess/ },
  { feature: "EC2 Instance Connect endpoints", actions: /InstanceConnectEndpoint/ },
  {
    feature: "VPC Block Public Access",
    actions: /VpcBlockPublicAccess/,
    terraform: ["aws_vpc_block_public_access_"],
  },
  { feature: "VPC encryption controls", actions: /VpcEncryptionControl/ },
  { feature: "network interface permissions", actions: /NetworkInterfacePermission/ },
  { feature: "secondary addresses of NAT gateways", actions: /NatGatewayAddress/ },
  {
    feature: "EC2-Classic (ClassicLink, moving addresses; retired by AWS)",
    actions: /ClassicLink|AddressToVpc|ToClassic/,
  },
  // Services of their own, not EC2 (no actions here): only the resources VPC modules declare beside the network.
  { feature: "Amazon RDS (a service of its own, not EC2)", terraform: ["aws_db_subnet_group"] },
  { feature: "Amazon Redshift (a service of its own, not EC2)", terraform: ["aws_redshift_subnet_group"] },
  { feature: "Amazon ElastiCache (a service of its own, not EC2)", terraform: ["aws_elasticache_subnet_group"] },
  { feature: "Amazon CloudWatch Logs (a service of its own, not EC2)", terraform: ["aws_cloudwatch_log_group"] },
];

/** The feature an EC2 action belongs to, when it is one the sandbox leaves out on purpose. */
export function unsupportedFeatureOfAction(action: string): UnsupportedFeature | undefined {
  return UNSUPPORTED_FEATURES.find((f) => f.actions?.test(action));
}

/** The feature a hashicorp/aws resource type belongs to, when the sandbox leaves it out. */
export function unsupportedFeatureOfTerraformType(type: string): UnsupportedFeature | undefined {
  return UNSUPPORTED_FEATURES.find((f) => f.terraform?.some((p) => type.startsWith(p)));
}
