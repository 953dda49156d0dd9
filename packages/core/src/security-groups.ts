/**
 * Security groups (R19): stateful firewalls of rules (protocol, port range, CIDR or group source).
 * Inbound closed by default, outbound open. Rules have IDs (sgr-) as in EC2 today.
 */
import type {
  SecurityGroupRule as Ec2Rule,
  SecurityGroup as Ec2SecurityGroup,
  IpPermission,
  TagSpecification,
} from "@aws-sdk/client-ec2";
import { cidrContains, parseCidr } from "./cidr.ts";
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf, RuleInit } from "./events.ts";
import { compileFilters, type Filter, paginate } from "./filters.ts";
import type { SecurityGroup, SecurityGroupRule } from "./model.ts";
import { regionState, type SandboxState } from "./state.ts";
import { tagMap, tagsFor, toTagSet } from "./tags.ts";
import type { Tx } from "./tx.ts";
import { defaultVpc, requireVpc } from "./vpcs.ts";

export function requireGroup(tx: Tx, id: string): SecurityGroup {
  const g = tx.region.securityGroups.get(id);
  if (!g || g.ownerId !== tx.ctx.accountId)
    throw new Ec2Error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
  return g;
}

export function groupByName(tx: Tx, name: string, vpcId?: string): SecurityGroup {
  const vpc = vpcId ?? defaultVpc(tx).vpcId;
  for (const g of tx.region.securityGroups.values())
    if (g.ownerId === tx.ctx.accountId && g.groupName === name && g.vpcId === vpc) return g;
  throw new Ec2Error(
    "InvalidGroup.NotFound",
    `The security group '${name}' does not exist in ${vpcId ? "VPC" : "default VPC"} '${vpc}'`,
  );
}

/** Whether a group set lets TCP/UDP traffic to `port` in from `sourceIp` (R19). */
export function allowsIngress(
  groups: SecurityGroup[],
  protocol: "tcp" | "udp",
  port: number,
  sourceIp: string,
): boolean {
  return allows(groups, false, protocol, port, sourceIp);
}

/** Whether a group set lets TCP/UDP traffic out to `port` at `destIp` (outbound is open by default). */
export function allowsEgress(groups: SecurityGroup[], protocol: "tcp" | "udp", port: number, destIp: string): boolean {
  return allows(groups, true, protocol, port, destIp);
}

function allows(groups: SecurityGroup[], egress: boolean, protocol: "tcp" | "udp", port: number, ip: string): boolean {
  return groups.some((g) =>
    [...g.rules.values()].some((r) => {
      if (r.isEgress !== egress) return false;
      const protoOk =
        r.ipProtocol === "-1" || r.ipProtocol === protocol || r.ipProtocol === (protocol === "tcp" ? "6" : "17");
      const portOk =
        r.ipProtocol === "-1" || ((r.fromPort ?? -1) <= port && port <= (r.toPort ?? -1)) || r.fromPort === -1;
      return protoOk && portOk && r.cidrIpv4 !== undefined && cidrContains(r.cidrIpv4, ip);
    }),
  );
}

// ── rules from IpPermissions ─────────────────────────────────────────────────────────────────
const PROTOCOLS: Record<string, string> = {
  tcp: "tcp",
  udp: "udp",
  icmp: "icmp",
  icmpv6: "icmpv6",
  "-1": "-1",
  all: "-1",
  "6": "tcp",
  "17": "udp",
  "1": "icmp",
  "58": "icmpv6",
};

function normalizeProtocol(p: string | undefined): string {
  if (p === undefined) throw errors.missingParameter("IpPermissions.IpProtocol");
  const norm = PROTOCOLS[p.toLowerCase()] ?? (/^\d+$/.test(p) && Number(p) <= 255 ? p : undefined);
  if (!norm) throw new Ec2Error("InvalidParameterValue", `Invalid value '${p}' for IP protocol. Unknown protocol.`);
  return norm;
}

function rulesFromPermissions(
  tx: Tx,
  group: SecurityGroup,
  isEgress: boolean,
  perms: IpPermission[],
  tags: [string, string][],
): RuleInit[] {
  const out: RuleInit[] = [];
  for (const p of perms) {
    const ipProtocol = normalizeProtocol(p.IpProtocol);
    let fromPort: number | undefined, toPort: number | undefined;
    if (ipProtocol === "tcp" || ipProtocol === "udp") {
      if (p.FromPort === undefined || p.ToPort === undefined)
        throw new Ec2Error(
          "InvalidParameterValue",
          `Invalid value 'null' for portRange. Must specify both from and to ports with TCP/UDP.`,
        );
      if (p.FromPort < 0 || p.ToPort > 65535 || p.FromPort > p.ToPort)
        throw new Ec2Error("InvalidParameterValue", `Invalid port range: ${p.FromPort}-${p.ToPort}`);
      fromPort = p.FromPort;
      toPort = p.ToPort;
    } else if (ipProtocol === "icmp" || ipProtocol === "icmpv6") {
      fromPort = p.FromPort ?? -1;
      toPort = p.ToPort ?? -1;
    }
    const base = { groupId: group.groupId, isEgress, ipProtocol, fromPort, toPort, tags };
    const sources = [
      ...(p.IpRanges ?? []).map((r) => {
        if (!r.CidrIp || !parseCidr(r.CidrIp))
          throw new Ec2Error("InvalidParameterValue", `CIDR block ${r.CidrIp} is malformed`);
        return { cidrIpv4: r.CidrIp, description: r.Description };
      }),
      ...(p.Ipv6Ranges ?? []).map((r) => {
        if (!r.CidrIpv6?.includes(":"))
          throw new Ec2Error("InvalidParameterValue", `CIDR block ${r.CidrIpv6} is malformed`);
        return { cidrIpv6: r.CidrIpv6, description: r.Description };
      }),
      ...(p.UserIdGroupPairs ?? []).map((pair) => {
        const ref = pair.GroupId
          ? requireGroup(tx, pair.GroupId)
          : pair.GroupName
            ? groupByName(tx, pair.GroupName)
            : undefined;
        if (!ref) throw errors.missingParameter("GroupId");
        return { referencedGroupId: ref.groupId, description: pair.Description };
      }),
    ];
    if (sources.length === 0)
      throw new Ec2Error(
        "InvalidParameterValue",
        "Must specify at least one of IpRanges, Ipv6Ranges, UserIdGroupPairs or PrefixListIds",
      );
    for (const s of sources) {
      const rule: RuleInit = { ruleId: "", ...base, ...s };
      const dup = [...group.rules.values()].find((r) => sameRule(r, rule)) ?? out.find((r) => sameRule(r, rule));
      if (dup) {
        throw new Ec2Error(
          "InvalidPermission.Duplicate",
          `the specified rule "peer: ${rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId}, ${rule.ipProtocol === "-1" ? "ALL" : rule.ipProtocol.toUpperCase()}${rule.fromPort !== undefined ? `, from port: ${rule.fromPort}, to port: ${rule.toPort}` : ""}, ALLOW" already exists`,
        );
      }
      out.push(rule);
    }
  }
  for (const r of out) r.ruleId = tx.newId("securityGroupRule");
  return out;
}

const sameRule = (a: Omit<SecurityGroupRule, "ruleId" | "tags">, b: Omit<SecurityGroupRule, "ruleId" | "tags">) =>
  a.isEgress === b.isEgress &&
  a.ipProtocol === b.ipProtocol &&
  (a.fromPort ?? null) === (b.fromPort ?? null) &&
  (a.toPort ?? null) === (b.toPort ?? null) &&
  (a.cidrIpv4 ?? null) === (b.cidrIpv4 ?? null) &&
  (a.cidrIpv6 ?? null) === (b.cidrIpv6 ?? null) &&
  (a.referencedGroupId ?? null) === (b.referencedGroupId ?? null);

/** Legacy top-level ingress form: CidrIp + IpProtocol + FromPort/ToPort, or SourceSecurityGroupName. */
function legacyPermissions(input: AuthorizeInput): IpPermission[] {
  if (input.IpPermissions?.length) return input.IpPermissions;
  if (input.CidrIp || input.IpProtocol || input.SourceSecurityGroupName) {
    return [
      {
        IpProtocol: input.IpProtocol ?? "-1",
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : undefined,
        UserIdGroupPairs: input.SourceSecurityGroupName ? [{ GroupName: input.SourceSecurityGroupName }] : undefined,
      },
    ];
  }
  throw errors.missingParameter("IpPermissions");
}

interface AuthorizeInput {
  GroupId?: string;
  GroupName?: string;
  IpPermissions?: IpPermission[];
  CidrIp?: string;
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  SourceSecurityGroupName?: string;
  SecurityGroupRuleIds?: string[];
  TagSpecifications?: TagSpecification[];
}

function targetGroup(tx: Tx, input: AuthorizeInput): SecurityGroup {
  if (input.GroupId) return requireGroup(tx, input.GroupId);
  if (input.GroupName) return groupByName(tx, input.GroupName);
  throw errors.missingParameter("GroupId");
}

const toEc2Rule = (r: SecurityGroupRule, ownerId: string): Ec2Rule => ({
  SecurityGroupRuleId: r.ruleId,
  GroupId: r.groupId,
  GroupOwnerId: ownerId,
  IsEgress: r.isEgress,
  IpProtocol: r.ipProtocol,
  FromPort: r.fromPort ?? -1,
  ToPort: r.toPort ?? -1,
  CidrIpv4: r.cidrIpv4,
  CidrIpv6: r.cidrIpv6,
  Description: r.description,
  ReferencedGroupInfo: r.referencedGroupId ? { GroupId: r.referencedGroupId, UserId: ownerId } : undefined,
  Tags: toTagSet(r.tags) ?? [],
});

/** EC2 groups rules with the same protocol and ports into one IpPermission. */
function toPermissions(rules: SecurityGroupRule[], ownerId: string): IpPermission[] {
  const byKey = new Map<string, IpPermission>();
  for (const r of rules) {
    const key = `${r.ipProtocol}|${r.fromPort ?? ""}|${r.toPort ?? ""}`;
    let p = byKey.get(key);
    if (!p) {
      p = { IpProtocol: r.ipProtocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      if (r.fromPort !== undefined) p.FromPort = r.fromPort;
      if (r.toPort !== undefined) p.ToPort = r.toPort;
      byKey.set(key, p);
    }
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, Description: r.description });
    if (r.cidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.cidrIpv6, Description: r.description });
    if (r.referencedGroupId)
      p.UserIdGroupPairs!.push({ GroupId: r.referencedGroupId, UserId: ownerId, Description: r.description });
  }
  return [...byKey.values()];
}

export const toEc2Group = (g: SecurityGroup): Ec2SecurityGroup => {
  const rules = [...g.rules.values()];
  return {
    GroupId: g.groupId,
    GroupName: g.groupName,
    Description: g.description,
    OwnerId: g.ownerId,
    VpcId: g.vpcId,
    IpPermissions: toPermissions(
      rules.filter((r) => !r.isEgress),
      g.ownerId,
    ),
    IpPermissionsEgress: toPermissions(
      rules.filter((r) => r.isEgress),
      g.ownerId,
    ),
    SecurityGroupArn: `arn:aws:ec2:${g.region}:${g.ownerId}:security-group/${g.groupId}`,
    Tags: toTagSet(g.tags),
  };
};

/**
 * The default group EC2 makes with every VPC: all traffic in from members of the group, all traffic
 * out. It cannot be deleted on its own (R31); it goes with its VPC.
 */
export function addDefaultGroup(
  state: SandboxState,
  regionName: string,
  g: { groupId: string; ownerId: string; vpcId: string; ingressRuleId: string; egressRuleId: string },
): SecurityGroup {
  const sg: SecurityGroup = {
    groupId: g.groupId,
    groupName: "default",
    description: "default VPC security group",
    ownerId: g.ownerId,
    region: regionName,
    vpcId: g.vpcId,
    rules: new Map(),
    tags: new Map(),
  };
  sg.rules.set(g.ingressRuleId, {
    ruleId: g.ingressRuleId,
    groupId: g.groupId,
    isEgress: false,
    ipProtocol: "-1",
    referencedGroupId: g.groupId,
    tags: new Map(),
  });
  sg.rules.set(g.egressRuleId, {
    ruleId: g.egressRuleId,
    groupId: g.groupId,
    isEgress: true,
    ipProtocol: "-1",
    cidrIpv4: "0.0.0.0/0",
    tags: new Map(),
  });
  regionState(state, regionName).securityGroups.set(g.groupId, sg);
  state.resourceRegion.set(g.groupId, regionName);
  return sg;
}

export function applySecurityGroupEvent(
  state: SandboxState,
  e: EventOf<
    | "SecurityGroupCreated"
    | "SecurityGroupRulesAuthorized"
    | "SecurityGroupRulesRevoked"
    | "SecurityGroupDeleted"
    | "VpcCreated"
    | "VpcDeleted"
  >,
): void {
  const region = regionState(state, e.region);
  switch (e.type) {
    case "VpcCreated":
      addDefaultGroup(state, e.region, {
        groupId: e.vpc.defaultSecurityGroupId,
        ownerId: e.vpc.ownerId,
        vpcId: e.vpc.vpcId,
        ingressRuleId: e.vpc.defaultSgIngressRuleId,
        egressRuleId: e.vpc.defaultSgEgressRuleId,
      });
      return;
    case "VpcDeleted":
      // Only the default group can be left when a VPC goes (others are dependencies).
      for (const g of region.securityGroups.values())
        if (g.vpcId === e.vpcId && g.groupName === "default") region.securityGroups.delete(g.groupId);
      return;
    case "SecurityGroupCreated": {
      const g: SecurityGroup = {
        groupId: e.groupId,
        groupName: e.groupName,
        description: e.description,
        ownerId: e.ownerId,
        region: e.region,
        vpcId: e.vpcId,
        rules: new Map(),
        tags: tagMap(e.tags),
      };
      g.rules.set(e.egressRuleId, {
        ruleId: e.egressRuleId,
        groupId: e.groupId,
        isEgress: true,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        tags: new Map(),
      });
      region.securityGroups.set(e.groupId, g);
      state.resourceRegion.set(e.groupId, e.region);
      return;
    }
    case "SecurityGroupRulesAuthorized": {
      const g = region.securityGroups.get(e.groupId)!;
      for (const r of e.rules) g.rules.set(r.ruleId, { ...r, tags: tagMap(r.tags) });
      return;
    }
    case "SecurityGroupRulesRevoked": {
      const g = region.securityGroups.get(e.groupId)!;
      for (const id of e.ruleIds) g.rules.delete(id);
      return;
    }
    case "SecurityGroupDeleted":
      region.securityGroups.delete(e.groupId);
      return;
  }
}

function authorize(tx: Tx, input: AuthorizeInput, isEgress: boolean) {
  const g = targetGroup(tx, input);
  const tags = tagsFor(input.TagSpecifications, "security-group-rule", ["security-group-rule"]);
  const rules = rulesFromPermissions(tx, g, isEgress, legacyPermissions(input), tags);
  tx.emit({ type: "SecurityGroupRulesAuthorized", region: tx.ctx.region, groupId: g.groupId, rules });
  return { Return: true, SecurityGroupRules: rules.map((r) => toEc2Rule({ ...r, tags: tagMap(r.tags) }, g.ownerId)) };
}

function revoke(tx: Tx, input: AuthorizeInput, isEgress: boolean) {
  const g = targetGroup(tx, input);
  let ids: string[];
  if (input.SecurityGroupRuleIds?.length) {
    ids = input.SecurityGroupRuleIds.map((id) => {
      const r = g.rules.get(id);
      if (!r || r.isEgress !== isEgress)
        throw new Ec2Error("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
      return id;
    });
  } else {
    const wanted = rulesFromPermissionsForMatch(tx, g, isEgress, legacyPermissions(input));
    ids = wanted.map((w) => {
      const hit = [...g.rules.values()].find((r) => sameRule(r, w));
      if (!hit)
        throw new Ec2Error("InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
      return hit.ruleId;
    });
  }
  tx.emit({ type: "SecurityGroupRulesRevoked", region: tx.ctx.region, groupId: g.groupId, ruleIds: ids });
  return { Return: true };
}

/** Rules named in a revoke call, without the duplicate check or new IDs. */
function rulesFromPermissionsForMatch(
  tx: Tx,
  g: SecurityGroup,
  isEgress: boolean,
  perms: IpPermission[],
): Omit<SecurityGroupRule, "ruleId" | "tags">[] {
  const empty: SecurityGroup = { ...g, rules: new Map() };
  const cursor = tx.state.cursor;
  const rules = rulesFromPermissions(tx, empty, isEgress, perms, []);
  tx.state.cursor = cursor; // no IDs are kept from a match
  return rules;
}

const groupFields = {
  "group-id": (g: SecurityGroup) => g.groupId,
  "group-name": (g: SecurityGroup) => g.groupName,
  description: (g: SecurityGroup) => g.description,
  "vpc-id": (g: SecurityGroup) => g.vpcId,
  "owner-id": (g: SecurityGroup) => g.ownerId,
  "ip-permission.from-port": (g: SecurityGroup) =>
    [...g.rules.values()].filter((r) => !r.isEgress).map((r) => r.fromPort ?? -1),
  "ip-permission.to-port": (g: SecurityGroup) =>
    [...g.rules.values()].filter((r) => !r.isEgress).map((r) => r.toPort ?? -1),
  "ip-permission.protocol": (g: SecurityGroup) =>
    [...g.rules.values()].filter((r) => !r.isEgress).map((r) => r.ipProtocol),
  "ip-permission.cidr": (g: SecurityGroup) => [...g.rules.values()].filter((r) => !r.isEgress).map((r) => r.cidrIpv4),
  "ip-permission.group-id": (g: SecurityGroup) =>
    [...g.rules.values()].filter((r) => !r.isEgress).map((r) => r.referencedGroupId),
  "egress.ip-permission.cidr": (g: SecurityGroup) =>
    [...g.rules.values()].filter((r) => r.isEgress).map((r) => r.cidrIpv4),
};

export const securityGroupActions = {
  CreateSecurityGroup(
    tx: Tx,
    input: { GroupName?: string; Description?: string; VpcId?: string; TagSpecifications?: TagSpecification[] },
  ) {
    if (!input.GroupName) throw errors.missingParameter("GroupName");
    if (!input.Description) throw errors.missingParameter("GroupDescription");
    if (input.GroupName.length > 255 || input.Description.length > 255)
      throw new Ec2Error("InvalidParameterValue", "Group name and description are at most 255 characters");
    if (/^sg-/i.test(input.GroupName))
      throw new Ec2Error("InvalidParameterValue", "Group names may not be in the format sg-*");
    if (input.GroupName === "default")
      throw new Ec2Error("InvalidParameterValue", "Cannot use reserved security group name: default");
    const vpcId = input.VpcId === undefined ? defaultVpc(tx).vpcId : requireVpc(tx, input.VpcId).vpcId;
    for (const g of tx.region.securityGroups.values()) {
      if (g.ownerId === tx.ctx.accountId && g.vpcId === vpcId && g.groupName === input.GroupName) {
        throw new Ec2Error(
          "InvalidGroup.Duplicate",
          `The security group '${input.GroupName}' already exists for VPC '${vpcId}'`,
        );
      }
    }
    const tags = tagsFor(input.TagSpecifications, "security-group", ["security-group"]);
    const groupId = tx.newId("securityGroup");
    const egressRuleId = tx.newId("securityGroupRule");
    tx.emit({
      type: "SecurityGroupCreated",
      region: tx.ctx.region,
      groupId,
      groupName: input.GroupName,
      description: input.Description,
      ownerId: tx.ctx.accountId,
      vpcId,
      tags,
      egressRuleId,
    });
    return {
      GroupId: groupId,
      Tags: tags.length ? tags.map(([Key, Value]) => ({ Key, Value })) : undefined,
      SecurityGroupArn: `arn:aws:ec2:${tx.ctx.region}:${tx.ctx.accountId}:security-group/${groupId}`,
    };
  },
  DescribeSecurityGroups(
    tx: Tx,
    input: { GroupIds?: string[]; GroupNames?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const mine = [...tx.region.securityGroups.values()].filter((g) => g.ownerId === tx.ctx.accountId);
    for (const id of input.GroupIds ?? [])
      if (!mine.some((g) => g.groupId === id))
        throw new Ec2Error("InvalidGroup.NotFound", `The security group '${id}' does not exist`);
    for (const n of input.GroupNames ?? []) groupByName(tx, n);
    const match = compileFilters(input.Filters, groupFields);
    const defVpc = input.GroupNames?.length ? defaultVpc(tx).vpcId : undefined;
    const rows = mine.filter(
      (g) =>
        (!input.GroupIds?.length || input.GroupIds.includes(g.groupId)) &&
        (!input.GroupNames?.length || (input.GroupNames.includes(g.groupName) && g.vpcId === defVpc)) &&
        match(g),
    );
    const { page, nextToken } = paginate(rows, input, { min: 5, max: 1000 }, "sgs");
    return { SecurityGroups: page.map(toEc2Group), NextToken: nextToken };
  },
  DescribeSecurityGroupRules(
    tx: Tx,
    input: { SecurityGroupRuleIds?: string[]; Filters?: Filter[]; MaxResults?: number; NextToken?: string },
  ) {
    const rows: (SecurityGroupRule & { ownerId: string })[] = [];
    for (const g of tx.region.securityGroups.values())
      if (g.ownerId === tx.ctx.accountId) for (const r of g.rules.values()) rows.push({ ...r, ownerId: g.ownerId });
    for (const id of input.SecurityGroupRuleIds ?? [])
      if (!rows.some((r) => r.ruleId === id))
        throw new Ec2Error("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${id}' does not exist`);
    const match = compileFilters<SecurityGroupRule & { ownerId: string }>(input.Filters, {
      "group-id": (r) => r.groupId,
      "security-group-rule-id": (r) => r.ruleId,
      "is-egress": (r) => String(r.isEgress),
    });
    const list = rows.filter(
      (r) => (!input.SecurityGroupRuleIds?.length || input.SecurityGroupRuleIds.includes(r.ruleId)) && match(r),
    );
    const { page, nextToken } = paginate(list, input, { min: 5, max: 1000 }, "sgrs");
    return {
      SecurityGroupRules: page.map((r) => ({
        ...toEc2Rule(r, r.ownerId),
        SecurityGroupRuleArn: `arn:aws:ec2:${tx.ctx.region}:${r.ownerId}:security-group-rule/${r.ruleId}`,
      })),
      NextToken: nextToken,
    };
  },
  AuthorizeSecurityGroupIngress: (tx: Tx, input: AuthorizeInput) => authorize(tx, input, false),
  AuthorizeSecurityGroupEgress: (tx: Tx, input: AuthorizeInput) => authorize(tx, input, true),
  RevokeSecurityGroupIngress: (tx: Tx, input: AuthorizeInput) => revoke(tx, input, false),
  RevokeSecurityGroupEgress: (tx: Tx, input: AuthorizeInput) => revoke(tx, input, true),
  DeleteSecurityGroup(tx: Tx, input: { GroupId?: string; GroupName?: string }) {
    const g = targetGroup(tx, input);
    if (g.groupName === "default")
      throw new Ec2Error(
        "CannotDelete",
        `the specified group: "${g.groupId}" name: "default" cannot be deleted by a user`,
      );
    // R31: groups belong to interfaces — instances' own primaries and interfaces of their own.
    for (const i of tx.region.instances.values()) {
      if (i.state !== "terminated" && i.securityGroupIds.includes(g.groupId)) {
        throw new Ec2Error("DependencyViolation", `resource ${g.groupId} has a dependent object`);
      }
    }
    for (const e of tx.region.networkInterfaces.values()) {
      if (e.groupIds.includes(g.groupId))
        throw new Ec2Error("DependencyViolation", `resource ${g.groupId} has a dependent object`);
    }
    for (const other of tx.region.securityGroups.values()) {
      if (other !== g && [...other.rules.values()].some((r) => r.referencedGroupId === g.groupId)) {
        throw new Ec2Error("DependencyViolation", `resource ${g.groupId} has a dependent object`);
      }
    }
    tx.emit({ type: "SecurityGroupDeleted", region: tx.ctx.region, groupId: g.groupId });
    return { Return: true, GroupId: g.groupId };
  },
};
