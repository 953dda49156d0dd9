/**
 * boto3 (Debian's python3-boto3, run by /usr/bin/python3) against a real `ec2sim serve` process:
 * a short version of the story with boto3's own waiters, paginator and ClientError codes.
 * Fails, never skips, when boto3 is missing.
 */
import { execFile } from "node:child_process";
import { type Account, accountsOf, type ServerProcess, startServer, tempDir } from "@ec2sim/test-harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PYTHON_CANDIDATES = ["/usr/bin/python3", "python3"];

const SCRIPT = `
import json, os, sys
import boto3
from botocore.exceptions import ClientError
from botocore.config import Config

endpoint = os.environ["EC2SIM_URL"]
def client(key, secret, region="us-east-1"):
    return boto3.client("ec2", endpoint_url=endpoint, region_name=region, aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))
a = client(os.environ["A_KEY"], os.environ["A_SECRET"])
b = client(os.environ["B_KEY"], os.environ["B_SECRET"])
out = {"boto3": boto3.__version__}
fast = {"Delay": 1, "MaxAttempts": 60}

imgs = a.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"]
newest = sorted(imgs, key=lambda i: i["CreationDate"], reverse=True)[0]
out["newest"] = newest["Name"]
key = a.create_key_pair(KeyName="boto-key")
out["keyMaterialStart"] = key["KeyMaterial"][:10]
r = a.run_instances(ImageId=newest["ImageId"], InstanceType="t3.micro", MinCount=3, MaxCount=3, KeyName="boto-key",
                    TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "app", "Value": "boto"}]}])
ids = [i["InstanceId"] for i in r["Instances"]]
out["launchState"] = r["Instances"][0]["State"]
out["launchTimeType"] = type(r["Instances"][0]["LaunchTime"]).__name__
a.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig=fast)
seen = []
for page in a.get_paginator("describe_instances").paginate(Filters=[{"Name": "tag:app", "Values": ["boto"]}], PaginationConfig={"PageSize": 5}):
    for res in page["Reservations"]:
        seen += [(i["InstanceId"], i["State"]["Name"]) for i in res["Instances"]]
out["paginated"] = sorted(seen)
out["ids"] = sorted(ids)
img = a.create_image(InstanceId=ids[0], Name="MyCustomAMI-boto")["ImageId"]
a.get_waiter("image_available").wait(ImageIds=[img], WaiterConfig=fast)
out["self"] = [(i["ImageId"], i["Name"], i["State"]) for i in a.describe_images(Owners=["self"])["Images"]]
out["image"] = img
try:
    b.run_instances(ImageId=img, InstanceType="t3.micro", MinCount=1, MaxCount=1)
    out["bLaunchBefore"] = "succeeded"
except ClientError as e:
    out["bLaunchBefore"] = e.response["Error"]["Code"]
a.modify_image_attribute(ImageId=img, LaunchPermission={"Add": [{"UserId": os.environ["B_ID"]}]})
out["bLaunchAfter"] = b.run_instances(ImageId=img, InstanceType="t3.micro", MinCount=1, MaxCount=1)["OwnerId"]
eu = client(os.environ["A_KEY"], os.environ["A_SECRET"], "eu-west-1")
out["copy"] = eu.copy_image(SourceImageId=img, SourceRegion="us-east-1", Name="boto-eu")["ImageId"]
try:
    a.describe_images(ImageIds=["ami-0123456789abcdef0"])
except ClientError as e:
    out["notFound"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    a.terminate_instances(InstanceIds=ids, DryRun=True)
except ClientError as e:
    out["dryRun"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
t = a.terminate_instances(InstanceIds=ids)
out["terminating"] = sorted(x["CurrentState"]["Name"] for x in t["TerminatingInstances"])
a.get_waiter("instance_terminated").wait(InstanceIds=ids, WaiterConfig=fast)
print(json.dumps(out))
`;

/**
 * The web server in its own VPC (R27–R31) with boto3: VPC → subnet → gateway → route table → group →
 * instance with a public IP (boto3's waiter), reachable (the SSH check through the admin API, from
 * Python's urllib), then deletion in the wrong order (ClientError DependencyViolation) and the right one.
 */
const NETWORK_SCRIPT = `
import json, os, urllib.request
import boto3
from botocore.exceptions import ClientError
from botocore.config import Config

endpoint = os.environ["EC2SIM_URL"]
ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=os.environ["A_KEY"],
                   aws_secret_access_key=os.environ["A_SECRET"], config=Config(retries={"max_attempts": 1}))
fast = {"Delay": 1, "MaxAttempts": 60}
out = {}
def code(fn, **kw):
    try:
        fn(**kw)
        return "succeeded"
    except ClientError as e:
        return e.response["Error"]["Code"]

vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
ec2.get_waiter("vpc_available").wait(VpcIds=[vpc], WaiterConfig=fast)
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.70.1.0/24", AvailabilityZone="us-east-1c")["Subnet"]
out["subnet"] = [subnet["CidrBlock"], subnet["AvailabilityZone"], subnet["AvailableIpAddressCount"], subnet["MapPublicIpOnLaunch"]]
ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
assoc = ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet["SubnetId"])["AssociationId"]
sg = ec2.create_security_group(GroupName="py-web", Description="web", VpcId=vpc)["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "203.0.113.10/32"}]}])
key = ec2.create_key_pair(KeyName="py-web-key")
imgs = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": ["al2023-ami-2023*-x86_64"]}])["Images"]
image = sorted(imgs, key=lambda i: i["CreationDate"], reverse=True)[0]["ImageId"]
inst = ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1, SubnetId=subnet["SubnetId"],
                         SecurityGroupIds=[sg], KeyName="py-web-key")["Instances"][0]
iid = inst["InstanceId"]
ec2.get_waiter("instance_running").wait(InstanceIds=[iid], WaiterConfig=fast)
d = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
out["instance"] = [d["VpcId"] == vpc, d["SubnetId"] == subnet["SubnetId"], "PublicIpAddress" in d, d["PrivateIpAddress"].startswith("10.70.1.")]
req = urllib.request.Request(endpoint + "/_ec2sim/sandboxes/default/call", method="POST",
    data=json.dumps({"action": "SshConnect", "accountId": os.environ["A_ID"],
                     "input": {"InstanceId": iid, "PrivateKey": key["KeyMaterial"]}}).encode(),
    headers={"content-type": "application/json", "authorization": "Bearer " + os.environ["ADMIN_TOKEN"]})
ssh = json.loads(urllib.request.urlopen(req).read())["output"]
out["ssh"] = [ssh["User"], ssh["Host"] == d["PublicIpAddress"]]
out["wrong"] = [
    code(ec2.delete_vpc, VpcId=vpc),
    code(ec2.delete_subnet, SubnetId=subnet["SubnetId"]),
    code(ec2.delete_security_group, GroupId=sg),
    code(ec2.detach_internet_gateway, InternetGatewayId=igw, VpcId=vpc),
    code(ec2.delete_internet_gateway, InternetGatewayId=igw),
    code(ec2.delete_route_table, RouteTableId=rtb),
]
ec2.terminate_instances(InstanceIds=[iid])
ec2.get_waiter("instance_terminated").wait(InstanceIds=[iid], WaiterConfig=fast)
ec2.delete_security_group(GroupId=sg)
ec2.disassociate_route_table(AssociationId=assoc)
ec2.delete_route_table(RouteTableId=rtb)
ec2.detach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
ec2.delete_internet_gateway(InternetGatewayId=igw)
ec2.delete_subnet(SubnetId=subnet["SubnetId"])
ec2.delete_vpc(VpcId=vpc)
out["after"] = code(ec2.describe_vpcs, VpcIds=[vpc])
print(json.dumps(out))
`;

function runPython(
  python: string,
  env: Record<string, string>,
  script = SCRIPT,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      python,
      ["-"],
      { env: { ...process.env, ...env }, timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : -1) : 0,
          stdout,
          stderr,
        });
      },
    );
    child.stdin!.end(script);
  });
}

async function findBoto3(): Promise<{ python: string; version: string } | { error: string }> {
  const tried: string[] = [];
  for (const python of PYTHON_CANDIDATES) {
    const r = await new Promise<{ ok: boolean; out: string }>((resolve) =>
      execFile(python, ["-c", "import boto3; print(boto3.__version__)"], (err, stdout, stderr) =>
        resolve({ ok: !err, out: (stdout || stderr).trim() }),
      ),
    );
    if (r.ok) return { python, version: r.out };
    tried.push(`${python}: ${r.out.split("\n").at(-1)}`);
  }
  return {
    error: `boto3 is required by this test and was not found (${tried.join("; ")}). Install it: apt-get install -y python3-boto3`,
  };
}

describe("boto3 against ec2sim serve", () => {
  let server: ServerProcess;
  let data: ReturnType<typeof tempDir>;
  let python = "";
  let A: Account;
  let B: Account;

  beforeAll(async () => {
    const found = await findBoto3();
    if ("error" in found) throw new Error(found.error);
    python = found.python;
    data = tempDir("boto3");
    server = await startServer({ dataDir: data.dir, speed: 200 });
    [A, B] = await accountsOf(server.url);
  });
  afterAll(async () => {
    await server?.stop();
    data?.remove();
  });

  it("runs a short story: waiters, paginator, CreateImage, sharing, CopyImage, ClientError codes", {
    timeout: 120_000,
  }, async () => {
    const r = await runPython(python, {
      EC2SIM_URL: server.url,
      A_KEY: A.accessKeyId,
      A_SECRET: A.secretAccessKey,
      B_KEY: B.accessKeyId,
      B_SECRET: B.secretAccessKey,
      B_ID: B.accountId,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.newest).toMatch(/^al2023-ami-2023\..*-x86_64$/);
    expect(out.keyMaterialStart).toBe("-----BEGIN");
    expect(out.launchState).toEqual({ Code: 0, Name: "pending" });
    expect(out.launchTimeType).toBe("datetime");
    expect(out.paginated).toEqual(out.ids.map((id: string) => [id, "running"]));
    expect(out.self).toEqual([[out.image, "MyCustomAMI-boto", "available"]]);
    expect(out.bLaunchBefore).toBe("InvalidAMIID.NotFound");
    expect(out.bLaunchAfter).toBe(B.accountId);
    expect(out.copy).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(out.copy).not.toBe(out.image);
    expect(out.notFound).toEqual(["InvalidAMIID.NotFound", 400]);
    expect(out.dryRun).toEqual(["DryRunOperation", 412]);
    expect(out.terminating).toEqual(["shutting-down", "shutting-down", "shutting-down"]);
  });

  it("R27–R31 builds a web server in its own VPC with boto3, reaches it, and deletes in the wrong then the right order", {
    timeout: 120_000,
  }, async () => {
    const r = await runPython(
      python,
      {
        EC2SIM_URL: server.url,
        A_KEY: A.accessKeyId,
        A_SECRET: A.secretAccessKey,
        A_ID: A.accountId,
        ADMIN_TOKEN: server.adminToken,
      },
      NETWORK_SCRIPT,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    expect(out.subnet).toEqual(["10.70.1.0/24", "us-east-1c", 251, false]);
    expect(out.instance).toEqual([true, true, true, true]);
    expect(out.ssh).toEqual(["ec2-user", true]);
    expect(out.wrong).toEqual(Array(6).fill("DependencyViolation"));
    expect(out.after).toBe("InvalidVpcID.NotFound");
  });
});
