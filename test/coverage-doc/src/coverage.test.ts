/** docs/COVERAGE.md is what the generator makes from the models and the code today. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { coverageMarkdown, coverageSections } from "./coverage.ts";

const FILE = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/COVERAGE.md");

describe("docs/COVERAGE.md", () => {
  it("is up to date (regenerate with npm run coverage)", async () => {
    expect(readFileSync(FILE, "utf8")).toBe(await coverageMarkdown());
  });

  it("marks what the code serves and leaves out, from the models' full lists", async () => {
    const byTitle = new Map((await coverageSections()).map((s) => [s.title.split(" (")[0], s]));
    const status = (section: string, name: string) => byTitle.get(section)!.rows.find((r) => r.name === name)?.status;
    const ec2 = byTitle.get("EC2")!.rows;
    expect(ec2.length).toBeGreaterThan(700); // every action of the model, not only the served ones
    expect(status("EC2", "RunInstances")).toBe("supported");
    expect(status("EC2", "CreateVpcEndpoint")).toBe("unsupported");
    expect(status("EC2", "DescribeVolumesModifications")).toBe("partial");
    expect(status("STS", "GetCallerIdentity")).toBe("supported");
    expect(status("IAM", "GetRole")).toBe("supported");
    expect(status("IAM", "CreateRole")).toBe("partial");
    expect(status("IAM", "CreateUser")).toBe("unsupported");
    expect(byTitle.get("Terraform resources")!.rows.length).toBeGreaterThan(1000);
    expect(status("Terraform resources", "aws_key_pair")).toBe("supported");
    expect(status("Terraform resources", "aws_instance")).toBe("partial");
    expect(status("Terraform resources", "aws_spot_instance_request")).toBe("partial");
    expect(status("Terraform resources", "aws_ebs_snapshot_copy")).toBe("partial");
    expect(status("EC2", "DescribeSpotInstanceRequests")).toBe("partial");
    expect(status("Terraform resources", "aws_s3_bucket")).toBe("unsupported");
    expect(status("Terraform resources", "aws_vpc_peering_connection")).toBe("unsupported");
    expect(status("Terraform data sources", "aws_ami")).toBe("supported");
  });
});
