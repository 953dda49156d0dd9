// Resource types of hashicorp/aws 6.25.0 around VPCs that ec2sim does not simulate. Each is in the
// provider's schema so that a configuration declaring it unused validates and plans (terraform-aws-modules
// declare many optional resources behind `count = 0`), and a plan making one gets a diagnostic naming
// what is unsupported (else terraform would only say the provider lacks the type).
// The placeholders carry hashicorp/aws's argument and block names (attribute values are `dynamic`,
// except lists/sets of objects, which keep their type so `name { … }` block syntax still parses).
import { unsupportedFeatureOfTerraformType } from "@ec2sim/core/unsupported-features";
import { attr, type Block, type CtyType, list, type NestedBlock, obj, set } from "../framework/schema.ts";

/** Names of a placeholder block: `a` attributes, `o` object-list attributes, `t` timeouts, `b` nested blocks. */
interface Placeholder {
  readonly a: string;
  readonly o?: { readonly [name: string]: CtyType };
  readonly t?: string;
  readonly b?: { readonly [name: string]: Placeholder };
}

const PLACEHOLDERS: { readonly [type: string]: Placeholder } = {
  aws_vpc_peering_connection: {
    a: "accept_status auto_accept id peer_owner_id peer_region peer_vpc_id region tags tags_all vpc_id",
    t: "create delete update",
    b: { accepter: { a: "allow_remote_vpc_dns_resolution" }, requester: { a: "allow_remote_vpc_dns_resolution" } },
  },
  aws_vpc_peering_connection_accepter: {
    a: "accept_status auto_accept id peer_owner_id peer_region peer_vpc_id region tags tags_all vpc_id vpc_peering_connection_id",
    t: "create update",
    b: { accepter: { a: "allow_remote_vpc_dns_resolution" }, requester: { a: "allow_remote_vpc_dns_resolution" } },
  },
  aws_vpc_peering_connection_options: {
    a: "id region vpc_peering_connection_id",
    b: { accepter: { a: "allow_remote_vpc_dns_resolution" }, requester: { a: "allow_remote_vpc_dns_resolution" } },
  },
  aws_ec2_transit_gateway: {
    a: "amazon_side_asn arn association_default_route_table_id auto_accept_shared_attachments default_route_table_association default_route_table_propagation description dns_support encryption_support id multicast_support owner_id propagation_default_route_table_id region security_group_referencing_support tags tags_all transit_gateway_cidr_blocks vpn_ecmp_support",
    t: "create delete update",
  },
  aws_ec2_transit_gateway_vpc_attachment: {
    a: "appliance_mode_support arn dns_support id ipv6_support region security_group_referencing_support subnet_ids tags tags_all transit_gateway_default_route_table_association transit_gateway_default_route_table_propagation transit_gateway_id vpc_id vpc_owner_id",
  },
  aws_ec2_transit_gateway_route_table: {
    a: "arn default_association_route_table default_propagation_route_table id region tags tags_all transit_gateway_id",
  },
  aws_ec2_transit_gateway_route: {
    a: "blackhole destination_cidr_block id region transit_gateway_attachment_id transit_gateway_route_table_id",
  },
  aws_ec2_transit_gateway_route_table_association: {
    a: "id region replace_existing_association resource_id resource_type transit_gateway_attachment_id transit_gateway_route_table_id",
  },
  aws_ec2_transit_gateway_route_table_propagation: {
    a: "id region resource_id resource_type transit_gateway_attachment_id transit_gateway_route_table_id",
  },
  aws_flow_log: {
    a: "arn deliver_cross_account_role eni_id iam_role_arn id log_destination log_destination_type log_format max_aggregation_interval region regional_nat_gateway_id subnet_id tags tags_all traffic_type transit_gateway_attachment_id transit_gateway_id vpc_id",
    b: { destination_options: { a: "file_format hive_compatible_partitions per_hour_partition" } },
  },
  aws_vpc_endpoint: {
    a: "arn auto_accept cidr_blocks id ip_address_type network_interface_ids owner_id policy prefix_list_id private_dns_enabled region requester_managed resource_configuration_arn route_table_ids security_group_ids service_name service_network_arn service_region state subnet_ids tags tags_all vpc_endpoint_type vpc_id",
    o: { dns_entry: list(obj({ dns_name: "string", hosted_zone_id: "string" })) },
    t: "create delete update",
    b: {
      dns_options: { a: "dns_record_ip_type private_dns_only_for_inbound_resolver_endpoint" },
      subnet_configuration: { a: "ipv4 ipv6 subnet_id" },
    },
  },
  aws_vpc_endpoint_service: {
    a: "acceptance_required allowed_principals arn availability_zones base_endpoint_dns_names gateway_load_balancer_arns id manages_vpc_endpoints network_load_balancer_arns private_dns_name region service_name service_type state supported_ip_address_types supported_regions tags tags_all",
    o: {
      private_dns_name_configuration: list(obj({ name: "string", state: "string", type: "string", value: "string" })),
    },
    t: "create delete update",
  },
  aws_egress_only_internet_gateway: { a: "id region tags tags_all vpc_id" },
  aws_network_acl: {
    a: "arn id owner_id region subnet_ids tags tags_all vpc_id",
    o: {
      egress: set(
        obj({
          action: "string",
          cidr_block: "string",
          from_port: "number",
          icmp_code: "number",
          icmp_type: "number",
          ipv6_cidr_block: "string",
          protocol: "string",
          rule_no: "number",
          to_port: "number",
        }),
      ),
      ingress: set(
        obj({
          action: "string",
          cidr_block: "string",
          from_port: "number",
          icmp_code: "number",
          icmp_type: "number",
          ipv6_cidr_block: "string",
          protocol: "string",
          rule_no: "number",
          to_port: "number",
        }),
      ),
    },
  },
  aws_network_acl_rule: {
    a: "cidr_block egress from_port icmp_code icmp_type id ipv6_cidr_block network_acl_id protocol region rule_action rule_number to_port",
  },
  aws_default_network_acl: {
    a: "arn default_network_acl_id id owner_id region subnet_ids tags tags_all vpc_id",
    b: {
      egress: { a: "action cidr_block from_port icmp_code icmp_type ipv6_cidr_block protocol rule_no to_port" },
      ingress: { a: "action cidr_block from_port icmp_code icmp_type ipv6_cidr_block protocol rule_no to_port" },
    },
  },
  aws_vpn_gateway: { a: "amazon_side_asn arn availability_zone id region tags tags_all vpc_id" },
  aws_vpn_gateway_attachment: { a: "id region vpc_id vpn_gateway_id" },
  aws_customer_gateway: {
    a: "arn bgp_asn bgp_asn_extended certificate_arn device_name id ip_address region tags tags_all type",
  },
  aws_vpn_connection: {
    a: "arn core_network_arn core_network_attachment_arn customer_gateway_configuration customer_gateway_id enable_acceleration id local_ipv4_network_cidr local_ipv6_network_cidr outside_ip_address_type preshared_key_arn preshared_key_storage region remote_ipv4_network_cidr remote_ipv6_network_cidr static_routes_only tags tags_all transit_gateway_attachment_id transit_gateway_id transport_transit_gateway_attachment_id tunnel1_address tunnel1_bgp_asn tunnel1_bgp_holdtime tunnel1_cgw_inside_address tunnel1_dpd_timeout_action tunnel1_dpd_timeout_seconds tunnel1_enable_tunnel_lifecycle_control tunnel1_ike_versions tunnel1_inside_cidr tunnel1_inside_ipv6_cidr tunnel1_phase1_dh_group_numbers tunnel1_phase1_encryption_algorithms tunnel1_phase1_integrity_algorithms tunnel1_phase1_lifetime_seconds tunnel1_phase2_dh_group_numbers tunnel1_phase2_encryption_algorithms tunnel1_phase2_integrity_algorithms tunnel1_phase2_lifetime_seconds tunnel1_preshared_key tunnel1_rekey_fuzz_percentage tunnel1_rekey_margin_time_seconds tunnel1_replay_window_size tunnel1_startup_action tunnel1_vgw_inside_address tunnel2_address tunnel2_bgp_asn tunnel2_bgp_holdtime tunnel2_cgw_inside_address tunnel2_dpd_timeout_action tunnel2_dpd_timeout_seconds tunnel2_enable_tunnel_lifecycle_control tunnel2_ike_versions tunnel2_inside_cidr tunnel2_inside_ipv6_cidr tunnel2_phase1_dh_group_numbers tunnel2_phase1_encryption_algorithms tunnel2_phase1_integrity_algorithms tunnel2_phase1_lifetime_seconds tunnel2_phase2_dh_group_numbers tunnel2_phase2_encryption_algorithms tunnel2_phase2_integrity_algorithms tunnel2_phase2_lifetime_seconds tunnel2_preshared_key tunnel2_rekey_fuzz_percentage tunnel2_rekey_margin_time_seconds tunnel2_replay_window_size tunnel2_startup_action tunnel2_vgw_inside_address tunnel_bandwidth tunnel_inside_ip_version type vpn_concentrator_id vpn_gateway_id",
    o: {
      routes: set(obj({ destination_cidr_block: "string", source: "string", state: "string" })),
      vgw_telemetry: set(
        obj({
          accepted_route_count: "number",
          certificate_arn: "string",
          last_status_change: "string",
          outside_ip_address: "string",
          status: "string",
          status_message: "string",
        }),
      ),
    },
    b: {
      tunnel1_log_options: {
        a: "",
        b: {
          cloudwatch_log_options: {
            a: "bgp_log_enabled bgp_log_group_arn bgp_log_output_format log_enabled log_group_arn log_output_format",
          },
        },
      },
      tunnel2_log_options: {
        a: "",
        b: {
          cloudwatch_log_options: {
            a: "bgp_log_enabled bgp_log_group_arn bgp_log_output_format log_enabled log_group_arn log_output_format",
          },
        },
      },
    },
  },
  aws_vpn_gateway_route_propagation: { a: "id region route_table_id vpn_gateway_id", t: "create delete" },
  aws_vpc_block_public_access_options: {
    a: "aws_account_id aws_region id internet_gateway_block_mode region",
    t: "create delete update",
  },
  aws_vpc_block_public_access_exclusion: {
    a: "id internet_gateway_exclusion_mode region resource_arn subnet_id tags tags_all vpc_id",
    t: "create delete update",
  },
  // Other services' resources that VPC modules declare beside the network (terraform-aws-modules/vpc's
  // database, Redshift and ElastiCache subnet groups, its flow logs' log group).
  aws_db_subnet_group: {
    a: "arn description id name name_prefix region subnet_ids supported_network_types tags tags_all vpc_id",
  },
  aws_redshift_subnet_group: { a: "arn description id name region subnet_ids tags tags_all" },
  aws_elasticache_subnet_group: { a: "arn description id name region subnet_ids tags tags_all vpc_id" },
  aws_cloudwatch_log_group: {
    a: "arn deletion_protection_enabled id kms_key_id log_group_class name name_prefix region retention_in_days skip_destroy tags tags_all",
  },
  aws_vpc_dhcp_options: {
    a: "arn domain_name domain_name_servers id ipv6_address_preferred_lease_time netbios_name_servers netbios_node_type ntp_servers owner_id region tags tags_all",
  },
  aws_vpc_dhcp_options_association: { a: "dhcp_options_id id region vpc_id" },
  aws_vpc_ipv4_cidr_block_association: {
    a: "cidr_block id ipv4_ipam_pool_id ipv4_netmask_length region vpc_id",
    t: "create delete",
  },
  aws_vpc_ipv6_cidr_block_association: {
    a: "assign_generated_ipv6_cidr_block id ip_source ipv6_address_attribute ipv6_cidr_block ipv6_ipam_pool_id ipv6_netmask_length ipv6_pool region vpc_id",
    t: "create delete",
  },
};

/** What ec2sim says it does not simulate for `type`: the feature core's list names for it. */
export function unsupportedWhat(type: string): string {
  return unsupportedFeatureOfTerraformType(type)?.feature ?? type;
}

function toBlock(p: Placeholder): Block {
  const attributes: Record<string, ReturnType<typeof attr>> = {};
  for (const n of p.a.split(" ").filter(Boolean)) attributes[n] = attr("dynamic", "oc");
  for (const [n, t] of Object.entries(p.o ?? {})) attributes[n] = attr(t, "oc");
  const blocks: Record<string, NestedBlock> = {};
  for (const [n, b] of Object.entries(p.b ?? {})) blocks[n] = { nesting: "list", block: toBlock(b) };
  if (p.t)
    blocks.timeouts = {
      nesting: "single",
      block: { attributes: Object.fromEntries(p.t.split(" ").map((k) => [k, attr("string", "o")])) },
    };
  return { attributes, blocks };
}

/** The placeholder schema of every unsupported type, by type name. */
export const unsupportedSchemas: { readonly [type: string]: Block } = Object.fromEntries(
  Object.entries(PLACEHOLDERS).map(([t, p]) => [t, toBlock(p)]),
);

/** The types of hashicorp/aws the provider refuses at plan (docs/COVERAGE.md). */
export function unsupportedTerraformTypes(): string[] {
  return Object.keys(unsupportedSchemas);
}
