// aws_security_group, aws_vpc_security_group_ingress_rule, aws_vpc_security_group_egress_rule,
// aws_security_group_rule and data aws_security_group.
import type { IpPermission, SecurityGroup, SecurityGroupRule } from "@aws-sdk/client-ec2";
import { errorCode, isNotFound, type ResourceContext } from "../framework/context.ts";
import type { DataSourceImpl, ResourceImpl } from "../framework/provider.ts";
import { isObj, type Obj } from "../framework/values.ts";
import {
  aws_default_security_group,
  aws_security_group,
  aws_security_group_rule,
  aws_vpc_security_group_egress_rule,
  aws_vpc_security_group_ingress_rule,
  data_aws_security_group,
  data_aws_security_groups,
} from "../schemas/security-groups.ts";
import {
  arn,
  buildFilters,
  dataSourceTags,
  n,
  nullIfNotFound,
  objs,
  prefixedUniqueId,
  s,
  singleResult,
  stringHashcode,
  strs,
  tagSpecs,
  tagsAll,
  tagsFromApi,
  updateTags,
} from "./common.ts";

async function findGroup(ctx: ResourceContext, id: string): Promise<SecurityGroup | null> {
  const ec2 = await ctx.ec2();
  return nullIfNotFound(
    async () =>
      (await ec2.describeSecurityGroups({ GroupIds: [id] })).SecurityGroups?.find((g) => g.GroupId === id) ?? null,
  );
}

/** Protocol as hashicorp/aws stores it: names for numbers it knows, "-1" for all. */
function protocolName(p: string | undefined): string {
  const v = (p ?? "-1").toLowerCase();
  return { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" }[v] ?? v;
}

// ---- inline rules (ingress/egress attributes of aws_security_group) ----
type Rule = {
  cidr_blocks: string[];
  description: string;
  from_port: number;
  ipv6_cidr_blocks: string[];
  prefix_list_ids: string[];
  protocol: string;
  security_groups: string[];
  self: boolean;
  to_port: number;
};

/** A configured rule with nulls as the SDK's zero values (what state holds). */
function zeroRule(r: Obj): Rule {
  return {
    cidr_blocks: strs(r.cidr_blocks),
    description: s(r.description) ?? "",
    from_port: n(r.from_port) ?? 0,
    ipv6_cidr_blocks: strs(r.ipv6_cidr_blocks),
    prefix_list_ids: strs(r.prefix_list_ids),
    protocol: protocolName(s(r.protocol)),
    security_groups: strs(r.security_groups),
    self: r.self === true,
    to_port: n(r.to_port) ?? 0,
  };
}

function ruleKey(r: Rule): string {
  return JSON.stringify({
    ...r,
    cidr_blocks: [...r.cidr_blocks].sort(),
    ipv6_cidr_blocks: [...r.ipv6_cidr_blocks].sort(),
    prefix_list_ids: [...r.prefix_list_ids].sort(),
    security_groups: [...r.security_groups].sort(),
  });
}

function ruleToPermission(r: Rule, groupId: string): IpPermission {
  const all = r.protocol === "-1";
  const groups = [...r.security_groups, ...(r.self ? [groupId] : [])];
  const desc = r.description || undefined;
  return {
    IpProtocol: r.protocol,
    FromPort: all ? undefined : r.from_port,
    ToPort: all ? undefined : r.to_port,
    IpRanges: r.cidr_blocks.length ? r.cidr_blocks.map((CidrIp) => ({ CidrIp, Description: desc })) : undefined,
    Ipv6Ranges: r.ipv6_cidr_blocks.length
      ? r.ipv6_cidr_blocks.map((CidrIpv6) => ({ CidrIpv6, Description: desc }))
      : undefined,
    PrefixListIds: r.prefix_list_ids.length
      ? r.prefix_list_ids.map((PrefixListId) => ({ PrefixListId, Description: desc }))
      : undefined,
    UserIdGroupPairs: groups.length ? groups.map((GroupId) => ({ GroupId, Description: desc })) : undefined,
  };
}

function permissionsToRules(perms: IpPermission[] | undefined, groupId: string): Rule[] {
  const out: Rule[] = [];
  for (const p of perms ?? []) {
    const protocol = protocolName(p.IpProtocol);
    const base = {
      from_port: protocol === "-1" ? 0 : (p.FromPort ?? 0),
      to_port: protocol === "-1" ? 0 : (p.ToPort ?? 0),
      protocol,
    };
    // One rule per description, as the provider groups them.
    const byDesc = new Map<string, Rule>();
    const get = (d: string | undefined) => {
      const k = d ?? "";
      let r = byDesc.get(k);
      if (!r) {
        r = {
          ...base,
          cidr_blocks: [],
          ipv6_cidr_blocks: [],
          prefix_list_ids: [],
          security_groups: [],
          self: false,
          description: k,
        };
        byDesc.set(k, r);
      }
      return r;
    };
    for (const r of p.IpRanges ?? []) get(r.Description).cidr_blocks.push(r.CidrIp!);
    for (const r of p.Ipv6Ranges ?? []) get(r.Description).ipv6_cidr_blocks.push(r.CidrIpv6!);
    for (const r of p.PrefixListIds ?? []) get(r.Description).prefix_list_ids.push(r.PrefixListId!);
    for (const g of p.UserIdGroupPairs ?? []) {
      const r = get(g.Description);
      if (g.GroupId === groupId) r.self = true;
      else r.security_groups.push(g.GroupId!);
    }
    out.push(...byDesc.values());
  }
  return out;
}

async function setRules(
  ctx: ResourceContext,
  groupId: string,
  direction: "ingress" | "egress",
  from: Rule[],
  to: Rule[],
): Promise<void> {
  const ec2 = await ctx.ec2();
  const fromKeys = new Set(from.map(ruleKey));
  const toKeys = new Set(to.map(ruleKey));
  const revoke = from.filter((r) => !toKeys.has(ruleKey(r))).map((r) => ruleToPermission(r, groupId));
  const add = to.filter((r) => !fromKeys.has(ruleKey(r))).map((r) => ruleToPermission(r, groupId));
  if (revoke.length) {
    if (direction === "ingress") await ec2.revokeSecurityGroupIngress({ GroupId: groupId, IpPermissions: revoke });
    else await ec2.revokeSecurityGroupEgress({ GroupId: groupId, IpPermissions: revoke });
  }
  if (add.length) {
    if (direction === "ingress") await ec2.authorizeSecurityGroupIngress({ GroupId: groupId, IpPermissions: add });
    else await ec2.authorizeSecurityGroupEgress({ GroupId: groupId, IpPermissions: add });
  }
}

async function flattenGroup(ctx: ResourceContext, g: SecurityGroup, state: Obj): Promise<Obj> {
  return {
    id: g.GroupId,
    arn: `arn:aws:ec2:${ctx.region}:${g.OwnerId ?? (await ctx.accountId())}:security-group/${g.GroupId}`,
    description: g.Description ?? null,
    egress: permissionsToRules(g.IpPermissionsEgress, g.GroupId!),
    ingress: permissionsToRules(g.IpPermissions, g.GroupId!),
    name: g.GroupName ?? null,
    owner_id: g.OwnerId ?? null,
    tags: tagsFromApi(ctx, g.Tags, state),
    vpc_id: g.VpcId ?? "",
  };
}

const planRules = (v: unknown): unknown => (Array.isArray(v) ? v.map((r) => (isObj(r) ? zeroRule(r) : r)) : v);

export const awsSecurityGroup: ResourceImpl = {
  schema: aws_security_group,
  title: "Security Group",
  modifyPlan({ prior, plan, config }) {
    // Configured rules are stored with zero values for what they leave out, as the SDK does.
    for (const k of ["ingress", "egress"]) if (Array.isArray(config[k])) plan[k] = planRules(plan[k]);
    if (!prior) plan.name_prefix = config.name_prefix ?? (s(config.name) ? "" : "terraform-");
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const name = s(plan.name) ?? prefixedUniqueId(s(plan.name_prefix) ?? "terraform-");
    const out = await ec2.createSecurityGroup({
      GroupName: name,
      Description: s(plan.description),
      VpcId: s(plan.vpc_id),
      TagSpecifications: tagSpecs("security-group", tagsAll(plan)),
    });
    const id = out.GroupId!;
    ctx.partial = { id };
    const g = await ctx.waitFor(
      `Security Group (${id}) to exist`,
      ctx.timeout("create"),
      async () => (await findGroup(ctx, id)) ?? undefined,
    );
    // Like hashicorp/aws: remove the default allow-all egress of a VPC group, then apply the configured rules.
    const current = {
      ingress: permissionsToRules(g.IpPermissions, id),
      egress: permissionsToRules(g.IpPermissionsEgress, id),
    };
    await setRules(ctx, id, "egress", current.egress, objs(plan.egress).map(zeroRule));
    await setRules(ctx, id, "ingress", current.ingress, objs(plan.ingress).map(zeroRule));
    const fresh = (await findGroup(ctx, id)) ?? g;
    return { ...(await flattenGroup(ctx, fresh, plan)), name_prefix: s(plan.name_prefix) ?? "" };
  },
  async read(ctx, state) {
    const g = await findGroup(ctx, String(state.id));
    if (!g) return null;
    return flattenGroup(ctx, g, state);
  },
  async update(ctx, prior, plan) {
    const id = String(prior.id);
    if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
    const g = await findGroup(ctx, id);
    if (!g) throw new Error(`Security Group (${id}) not found`);
    if (Array.isArray(plan.egress))
      await setRules(ctx, id, "egress", permissionsToRules(g.IpPermissionsEgress, id), objs(plan.egress).map(zeroRule));
    if (Array.isArray(plan.ingress))
      await setRules(ctx, id, "ingress", permissionsToRules(g.IpPermissions, id), objs(plan.ingress).map(zeroRule));
    return flattenGroup(ctx, (await findGroup(ctx, id)) ?? g, plan);
  },
  async delete(ctx, state) {
    const id = String(state.id);
    const ec2 = await ctx.ec2();
    if (state.revoke_rules_on_delete === true) {
      const g = await findGroup(ctx, id);
      if (g) {
        await setRules(ctx, id, "ingress", permissionsToRules(g.IpPermissions, id), []);
        await setRules(ctx, id, "egress", permissionsToRules(g.IpPermissionsEgress, id), []);
      }
    }
    // DependencyViolation while instances or ENIs still use the group: retry until the timeout.
    await ctx.waitFor(`Security Group (${id}) delete`, ctx.timeout("delete"), async () => {
      try {
        await ec2.deleteSecurityGroup({ GroupId: id });
        return true;
      } catch (err) {
        if (isNotFound(err)) return true;
        if (errorCode(err) === "DependencyViolation") return undefined;
        throw err;
      }
    });
  },
};

// ---- aws_vpc_security_group_{ingress,egress}_rule ----
function vpcRule(direction: "ingress" | "egress", schema: typeof aws_vpc_security_group_ingress_rule): ResourceImpl {
  const flatten = async (ctx: ResourceContext, r: SecurityGroupRule, state: Obj): Promise<Obj> => {
    const all = protocolName(r.IpProtocol) === "-1";
    return {
      id: r.SecurityGroupRuleId,
      arn: await arn(ctx, "security-group-rule", r.SecurityGroupRuleId!),
      cidr_ipv4: r.CidrIpv4 ?? null,
      cidr_ipv6: r.CidrIpv6 ?? null,
      description: r.Description ?? null,
      from_port: all ? null : (r.FromPort ?? null),
      to_port: all ? null : (r.ToPort ?? null),
      ip_protocol: protocolName(r.IpProtocol),
      prefix_list_id: r.PrefixListId ?? null,
      referenced_security_group_id: r.ReferencedGroupInfo?.GroupId ?? null,
      security_group_id: r.GroupId ?? null,
      security_group_rule_id: r.SecurityGroupRuleId,
      tags: Object.keys(tagsFromApi(ctx, r.Tags, state)).length
        ? tagsFromApi(ctx, r.Tags, state)
        : (state.tags ?? null),
    };
  };
  const find = async (ctx: ResourceContext, id: string): Promise<SecurityGroupRule | null> => {
    const ec2 = await ctx.ec2();
    return nullIfNotFound(
      async () =>
        (await ec2.describeSecurityGroupRules({ SecurityGroupRuleIds: [id] })).SecurityGroupRules?.[0] ?? null,
    );
  };
  const permission = (p: Obj): IpPermission => {
    const proto = protocolName(s(p.ip_protocol));
    const desc = s(p.description);
    return {
      IpProtocol: proto,
      FromPort: proto === "-1" ? undefined : n(p.from_port),
      ToPort: proto === "-1" ? undefined : n(p.to_port),
      IpRanges: s(p.cidr_ipv4) ? [{ CidrIp: p.cidr_ipv4 as string, Description: desc }] : undefined,
      Ipv6Ranges: s(p.cidr_ipv6) ? [{ CidrIpv6: p.cidr_ipv6 as string, Description: desc }] : undefined,
      PrefixListIds: s(p.prefix_list_id)
        ? [{ PrefixListId: p.prefix_list_id as string, Description: desc }]
        : undefined,
      UserIdGroupPairs: s(p.referenced_security_group_id)
        ? [{ GroupId: p.referenced_security_group_id as string, Description: desc }]
        : undefined,
    };
  };
  return {
    schema,
    title: `VPC Security Group ${direction === "ingress" ? "Ingress" : "Egress"} Rule`,
    modifyPlan({ plan }) {
      if (typeof plan.ip_protocol === "string") plan.ip_protocol = protocolName(plan.ip_protocol);
    },
    async create(ctx, plan) {
      const ec2 = await ctx.ec2();
      const input = {
        GroupId: s(plan.security_group_id),
        IpPermissions: [permission(plan)],
        TagSpecifications: tagSpecs("security-group-rule", tagsAll(plan)),
      };
      const out =
        direction === "ingress"
          ? await ec2.authorizeSecurityGroupIngress(input)
          : await ec2.authorizeSecurityGroupEgress(input);
      const rule = out.SecurityGroupRules?.[0];
      if (!rule?.SecurityGroupRuleId) throw new Error("no security group rule was returned");
      return flatten(ctx, rule, plan);
    },
    async read(ctx, state) {
      const r = await find(ctx, String(state.id));
      return r ? flatten(ctx, r, state) : null;
    },
    async update(ctx, prior, plan) {
      const ec2 = await ctx.ec2();
      const id = String(prior.id);
      if (JSON.stringify(prior.tags_all) !== JSON.stringify(plan.tags_all)) await updateTags(ctx, id, prior, plan);
      const proto = protocolName(s(plan.ip_protocol));
      await ec2.modifySecurityGroupRules({
        GroupId: String(plan.security_group_id),
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: id,
            SecurityGroupRule: {
              IpProtocol: proto,
              FromPort: proto === "-1" ? -1 : n(plan.from_port),
              ToPort: proto === "-1" ? -1 : n(plan.to_port),
              CidrIpv4: s(plan.cidr_ipv4),
              CidrIpv6: s(plan.cidr_ipv6),
              PrefixListId: s(plan.prefix_list_id),
              ReferencedGroupId: s(plan.referenced_security_group_id),
              Description: s(plan.description),
            },
          },
        ],
      });
      const r = await find(ctx, id);
      return r ? flatten(ctx, r, plan) : undefined;
    },
    async delete(ctx, state) {
      const ec2 = await ctx.ec2();
      const input = { GroupId: String(state.security_group_id), SecurityGroupRuleIds: [String(state.id)] };
      await nullIfNotFound(async () => {
        if (direction === "ingress") await ec2.revokeSecurityGroupIngress(input);
        else await ec2.revokeSecurityGroupEgress(input);
      });
    },
  };
}
export const awsVpcSecurityGroupIngressRule = vpcRule("ingress", aws_vpc_security_group_ingress_rule);
export const awsVpcSecurityGroupEgressRule = vpcRule("egress", aws_vpc_security_group_egress_rule);

// ---- aws_security_group_rule ----
function sgRulePermission(p: Obj): IpPermission {
  const r = zeroRule({
    cidr_blocks: p.cidr_blocks,
    description: p.description,
    from_port: p.from_port,
    to_port: p.to_port,
    ipv6_cidr_blocks: p.ipv6_cidr_blocks,
    prefix_list_ids: p.prefix_list_ids,
    protocol: p.protocol,
    security_groups: s(p.source_security_group_id) ? [p.source_security_group_id] : [],
    self: p.self,
  });
  return ruleToPermission(r, String(p.security_group_id));
}

/** The ID hashicorp/aws gives a rule: "sgrule-" + a hash of group, type and permission. */
function sgRuleId(p: Obj): string {
  const perm = sgRulePermission(p);
  const parts = [
    String(p.security_group_id),
    String(p.type),
    String(perm.FromPort ?? -1),
    String(perm.ToPort ?? -1),
    perm.IpProtocol ?? "",
    ...(perm.IpRanges ?? []).map((r) => r.CidrIp).sort(),
    ...(perm.Ipv6Ranges ?? []).map((r) => r.CidrIpv6).sort(),
    ...(perm.PrefixListIds ?? []).map((r) => r.PrefixListId).sort(),
    ...(perm.UserIdGroupPairs ?? []).map((r) => r.GroupId).sort(),
  ];
  return `sgrule-${stringHashcode(`${parts.join("-")}-`)}`;
}

async function findSgRules(ctx: ResourceContext, state: Obj): Promise<SecurityGroupRule[]> {
  const ec2 = await ctx.ec2();
  try {
    const out = await ec2.describeSecurityGroupRules({
      Filters: [{ Name: "group-id", Values: [String(state.security_group_id)] }],
    });
    const perm = sgRulePermission(state);
    const egress = state.type === "egress";
    const proto = perm.IpProtocol;
    return (out.SecurityGroupRules ?? []).filter(
      (r) =>
        !!r.IsEgress === egress &&
        protocolName(r.IpProtocol) === proto &&
        (proto === "-1" || (r.FromPort === perm.FromPort && r.ToPort === perm.ToPort)) &&
        ((r.CidrIpv4 && (perm.IpRanges ?? []).some((x) => x.CidrIp === r.CidrIpv4)) ||
          (r.CidrIpv6 && (perm.Ipv6Ranges ?? []).some((x) => x.CidrIpv6 === r.CidrIpv6)) ||
          (r.PrefixListId && (perm.PrefixListIds ?? []).some((x) => x.PrefixListId === r.PrefixListId)) ||
          (r.ReferencedGroupInfo?.GroupId &&
            (perm.UserIdGroupPairs ?? []).some((x) => x.GroupId === r.ReferencedGroupInfo?.GroupId))),
    );
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

export const awsSecurityGroupRule: ResourceImpl = {
  schema: aws_security_group_rule,
  title: "Security Group Rule",
  modifyPlan({ plan }) {
    if (typeof plan.protocol === "string") plan.protocol = protocolName(plan.protocol);
  },
  importState(id) {
    // SGID_TYPE_PROTOCOL_FROM_TO_SOURCE[_SOURCE...]
    const parts = id.split("_");
    if (parts.length < 6)
      throw new Error(`unexpected format of ID (${id}), expected SGID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]*`);
    const [security_group_id, type, protocol, from, to, ...sources] = parts;
    const state: Obj = {
      security_group_id,
      type,
      protocol: protocolName(protocol),
      from_port: Number(from),
      to_port: Number(to),
      self: false,
    };
    const cidrs = sources.filter((x) => x.includes(".") && x.includes("/"));
    const v6 = sources.filter((x) => x.includes(":"));
    const pls = sources.filter((x) => x.startsWith("pl-"));
    const sgs = sources.filter((x) => x.startsWith("sg-") || x === "self");
    if (cidrs.length) state.cidr_blocks = cidrs;
    if (v6.length) state.ipv6_cidr_blocks = v6;
    if (pls.length) state.prefix_list_ids = pls;
    for (const g of sgs)
      if (g === "self") state.self = true;
      else state.source_security_group_id = g;
    state.id = sgRuleId(state);
    return state;
  },
  async create(ctx, plan) {
    const ec2 = await ctx.ec2();
    const input = { GroupId: String(plan.security_group_id), IpPermissions: [sgRulePermission(plan)] };
    const out =
      plan.type === "egress"
        ? await ec2.authorizeSecurityGroupEgress(input)
        : await ec2.authorizeSecurityGroupIngress(input);
    const first = out.SecurityGroupRules?.[0];
    return {
      id: sgRuleId(plan),
      security_group_rule_id: first?.SecurityGroupRuleId ?? "",
      source_security_group_id: s(plan.source_security_group_id) ?? null,
    };
  },
  async read(ctx, state) {
    const rules = await findSgRules(ctx, state);
    if (!rules.length) return null;
    return {
      security_group_rule_id: rules.length === 1 ? rules[0]!.SecurityGroupRuleId : (state.security_group_rule_id ?? ""),
      description: rules[0]!.Description ?? state.description ?? null,
    };
  },
  async update(ctx, prior, plan) {
    const ec2 = await ctx.ec2();
    const perm = sgRulePermission(plan);
    const input = { GroupId: String(plan.security_group_id), IpPermissions: [perm] };
    if (plan.type === "egress") await ec2.updateSecurityGroupRuleDescriptionsEgress(input);
    else await ec2.updateSecurityGroupRuleDescriptionsIngress(input);
    return { security_group_rule_id: prior.security_group_rule_id };
  },
  async delete(ctx, state) {
    const ec2 = await ctx.ec2();
    const input = { GroupId: String(state.security_group_id), IpPermissions: [sgRulePermission(state)] };
    await nullIfNotFound(async () => {
      if (state.type === "egress") await ec2.revokeSecurityGroupEgress(input);
      else await ec2.revokeSecurityGroupIngress(input);
    });
  },
};

export const dataAwsSecurityGroup: DataSourceImpl = {
  schema: data_aws_security_group,
  title: "Security Group",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const out = await ec2.describeSecurityGroups({
      Filters: buildFilters(config, { "group-id": config.id, "group-name": config.name, "vpc-id": config.vpc_id }, [
        config.tags,
      ]),
    });
    const g = singleResult(out.SecurityGroups, "EC2 Security Group");
    return {
      id: g.GroupId,
      arn: `arn:aws:ec2:${ctx.region}:${g.OwnerId}:security-group/${g.GroupId}`,
      description: g.Description ?? "",
      name: g.GroupName ?? null,
      tags: dataSourceTags(ctx, g.Tags),
      vpc_id: g.VpcId ?? "",
    };
  },
};

// ---- aws_default_security_group ----
/** The default group of `vpcId`, or of the region's default VPC. */
async function findDefaultGroup(ctx: ResourceContext, vpcId: string | undefined): Promise<SecurityGroup> {
  const ec2 = await ctx.ec2();
  let vpc = vpcId;
  if (!vpc) {
    const def = (await ec2.describeVpcs({ Filters: [{ Name: "is-default", Values: ["true"] }] })).Vpcs?.[0];
    if (!def?.VpcId) throw new Error("no default VPC: give vpc_id");
    vpc = def.VpcId;
  }
  const out = await ec2.describeSecurityGroups({
    Filters: [
      { Name: "vpc-id", Values: [vpc] },
      { Name: "group-name", Values: ["default"] },
    ],
  });
  return singleResult(out.SecurityGroups, "EC2 Default Security Group");
}

export const awsDefaultSecurityGroup: ResourceImpl = {
  schema: aws_default_security_group,
  title: "Default Security Group",
  modifyPlan({ plan, config }) {
    for (const k of ["ingress", "egress"]) if (Array.isArray(config[k])) plan[k] = planRules(plan[k]);
  },
  async create(ctx, plan) {
    const g = await findDefaultGroup(ctx, s(plan.vpc_id));
    const id = g.GroupId!;
    ctx.partial = { id };
    // Adoption, as hashicorp/aws: every rule the group has goes; the configured ones come in.
    await setRules(ctx, id, "egress", permissionsToRules(g.IpPermissionsEgress, id), objs(plan.egress).map(zeroRule));
    await setRules(ctx, id, "ingress", permissionsToRules(g.IpPermissions, id), objs(plan.ingress).map(zeroRule));
    const current = Object.fromEntries(
      (g.Tags ?? []).filter((t) => t.Key && !t.Key.startsWith("aws:")).map((t) => [t.Key!, t.Value ?? ""]),
    );
    await updateTags(ctx, id, { tags_all: current }, plan);
    return { ...(await flattenGroup(ctx, (await findGroup(ctx, id)) ?? g, plan)), name_prefix: "" };
  },
  async read(ctx, state) {
    const g = await findGroup(ctx, String(state.id));
    return g ? { ...(await flattenGroup(ctx, g, state)), name_prefix: "" } : null;
  },
  async update(ctx, prior, plan, config) {
    return awsSecurityGroup.update!(ctx, prior, plan, config);
  },
  async delete() {
    // As hashicorp/aws: a VPC's default group cannot be deleted; destroy only forgets it.
  },
};

export const dataAwsSecurityGroups: DataSourceImpl = {
  schema: data_aws_security_groups,
  title: "Security Groups",
  async read(ctx, config) {
    const ec2 = await ctx.ec2();
    const groups: SecurityGroup[] = [];
    let token: string | undefined;
    do {
      const out = await ec2.describeSecurityGroups({
        Filters: buildFilters(config, {}, [config.tags]),
        NextToken: token,
      });
      groups.push(...(out.SecurityGroups ?? []));
      token = out.NextToken;
    } while (token);
    return {
      id: ctx.region,
      ids: groups.map((g) => g.GroupId),
      arns: groups.map((g) => `arn:aws:ec2:${ctx.region}:${g.OwnerId}:security-group/${g.GroupId}`),
      vpc_ids: groups.map((g) => g.VpcId ?? ""),
    };
  },
};
