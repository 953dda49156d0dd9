/**
 * EC2 Image Builder (R24): a recipe (parent image + ordered components of shell commands) and a
 * pipeline that builds a new AMI version from it, tags it with version, date and purpose, and can
 * roll back to an earlier version. A build runs the components on a build instance through the
 * guest shell, images it, and terminates it — the same steps a person would take, in one call.
 */
import { Ec2Error, errors } from "./errors.ts";
import type { EventOf } from "./events.ts";
import type { ImagePipeline, ImageRecipe } from "./model.ts";
import { regionState, type SandboxState } from "./state.ts";
import type { Tx } from "./tx.ts";

const arn = (tx: Tx, kind: string, name: string, version?: string) =>
  `arn:aws:imagebuilder:${tx.ctx.region}:${tx.ctx.accountId}:${kind}/${name.toLowerCase()}${version ? `/${version}` : ""}`;

export function applyImageBuilderEvent(
  state: SandboxState,
  e: EventOf<"RecipeCreated" | "PipelineCreated" | "PipelineBuildRecorded" | "PipelineVersionSelected">,
  at: number,
): void {
  const r = regionState(state, e.region);
  switch (e.type) {
    case "RecipeCreated":
      r.recipes.set(e.arn, {
        arn: e.arn,
        name: e.name,
        version: e.version,
        ownerId: e.ownerId,
        region: e.region,
        parentImage: e.parentImage,
        components: e.components,
      });
      return;
    case "PipelineCreated":
      r.pipelines.set(e.arn, {
        arn: e.arn,
        name: e.name,
        ownerId: e.ownerId,
        region: e.region,
        recipeArn: e.recipeArn,
        instanceType: e.instanceType,
        builds: [],
      });
      return;
    case "PipelineBuildRecorded": {
      const p = r.pipelines.get(e.arn)!;
      p.builds.push({ version: e.version, imageId: e.imageId, at });
      p.currentVersion = e.version;
      return;
    }
    case "PipelineVersionSelected":
      r.pipelines.get(e.arn)!.currentVersion = e.version;
      return;
  }
}

/**
 * A build: a build instance of the recipe's parent image runs the components' commands, is imaged,
 * and terminated (R24). It runs the instance and image families' own actions through the
 * transaction, so its events are theirs. Returns the new AMI, or why the build failed (the build
 * instance is terminated either way).
 */
function runBuild(
  tx: Tx,
  pipeline: ImagePipeline,
  recipe: ImageRecipe,
  version: string,
): { imageId: string } | { failure: string } {
  const res = tx.call<{ Instances: { InstanceId: string }[] }>("RunInstances", {
    ImageId: recipe.parentImage,
    InstanceType: pipeline.instanceType,
    MinCount: 1,
    MaxCount: 1,
  });
  const id = res.Instances[0]!.InstanceId;
  tx.emit({ type: "InstanceStateChanged", region: tx.ctx.region, instanceId: id, state: "running" });
  for (const c of recipe.components) {
    for (const cmd of c.commands) {
      const out = tx.call<{ ExitCode: number; Output: string }>("GuestRun", {
        InstanceId: id,
        Command: cmd,
        User: "root",
      });
      if (out.ExitCode !== 0) {
        tx.call("TerminateInstances", { InstanceIds: [id] });
        return { failure: `Component ${c.name} failed on '${cmd}' (exit ${out.ExitCode}): ${out.Output.trim()}` };
      }
    }
  }
  const date = new Date(tx.now).toISOString().slice(0, 10);
  const img = tx.call<{ ImageId: string }>("CreateImage", {
    InstanceId: id,
    Name: `${pipeline.name} ${version} ${date}`.replace(/[^a-zA-Z0-9()[\]./\-'@_ ]/g, "-"),
    NoReboot: true,
    TagSpecifications: [
      {
        ResourceType: "image",
        Tags: [
          { Key: "Version", Value: version },
          { Key: "BuildDate", Value: date },
          { Key: "Purpose", Value: `${pipeline.name} golden image` },
          { Key: "Ec2ImageBuilderArn", Value: `${pipeline.arn}/${version}` },
        ],
      },
    ],
  });
  tx.call("TerminateInstances", { InstanceIds: [id] });
  return { imageId: img.ImageId };
}

export const imageBuilderActions = {
  CreateImageRecipe(
    tx: Tx,
    input: {
      name?: string;
      semanticVersion?: string;
      parentImage?: string;
      components?: { name: string; commands: string[] }[];
    },
  ) {
    if (!input.name) throw errors.missingParameter("name");
    if (!input.semanticVersion || !/^\d+\.\d+\.\d+$/.test(input.semanticVersion))
      throw new Ec2Error("InvalidParameterValue", "semanticVersion must look like 1.0.0");
    if (!input.parentImage) throw errors.missingParameter("parentImage");
    const a = arn(tx, "image-recipe", input.name, input.semanticVersion);
    if (tx.region.recipes.has(a))
      throw new Ec2Error("ResourceAlreadyExistsException", `The image recipe ${a} already exists`);
    tx.emit({
      type: "RecipeCreated",
      region: tx.ctx.region,
      arn: a,
      name: input.name,
      version: input.semanticVersion,
      ownerId: tx.ctx.accountId,
      parentImage: input.parentImage,
      components: input.components ?? [],
    });
    return { imageRecipeArn: a };
  },
  CreateImagePipeline(tx: Tx, input: { name?: string; imageRecipeArn?: string; instanceType?: string }) {
    if (!input.name) throw errors.missingParameter("name");
    const recipe = input.imageRecipeArn ? tx.region.recipes.get(input.imageRecipeArn) : undefined;
    if (!recipe || recipe.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("ResourceNotFoundException", `The image recipe ${input.imageRecipeArn} does not exist`);
    const a = arn(tx, "image-pipeline", input.name);
    if (tx.region.pipelines.has(a))
      throw new Ec2Error("ResourceAlreadyExistsException", `The image pipeline ${a} already exists`);
    tx.emit({
      type: "PipelineCreated",
      region: tx.ctx.region,
      arn: a,
      name: input.name,
      ownerId: tx.ctx.accountId,
      recipeArn: recipe.arn,
      instanceType: input.instanceType ?? "t3.micro",
    });
    return { imagePipelineArn: a };
  },
  StartImagePipelineExecution(tx: Tx, input: { imagePipelineArn?: string; version?: string }) {
    const p = input.imagePipelineArn ? tx.region.pipelines.get(input.imagePipelineArn) : undefined;
    if (!p || p.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("ResourceNotFoundException", `The image pipeline ${input.imagePipelineArn} does not exist`);
    const recipe = tx.region.recipes.get(p.recipeArn)!;
    const [maj, min, patch] = recipe.version.split(".").map(Number);
    const version = input.version ?? `${maj}.${min}.${(patch ?? 0) + p.builds.length}`;
    if (p.builds.some((b) => b.version === version))
      throw new Ec2Error("ResourceAlreadyExistsException", `Version ${version} of ${p.name} was already built`);
    const built = runBuild(tx, p, recipe, version);
    // A failed component is a failed build, recorded as such: the build instance's events stand.
    if ("failure" in built)
      return { imageBuildVersionArn: `${p.arn}/${version}`, version, status: "FAILED", reason: built.failure };
    const imageId = built.imageId;
    tx.emit({ type: "PipelineBuildRecorded", region: tx.ctx.region, arn: p.arn, version, imageId });
    return { imageBuildVersionArn: `${p.arn}/${version}`, imageId, version, status: "AVAILABLE" };
  },
  RollbackImagePipeline(tx: Tx, input: { imagePipelineArn?: string; version?: string }) {
    const p = input.imagePipelineArn ? tx.region.pipelines.get(input.imagePipelineArn) : undefined;
    if (!p || p.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("ResourceNotFoundException", `The image pipeline ${input.imagePipelineArn} does not exist`);
    const b = p.builds.find((x) => x.version === input.version);
    if (!b)
      throw new Ec2Error(
        "InvalidParameterValue",
        `Pipeline ${p.name} has no version ${input.version}; built: ${p.builds.map((x) => x.version).join(", ") || "none"}`,
      );
    tx.emit({ type: "PipelineVersionSelected", region: tx.ctx.region, arn: p.arn, version: b.version });
    return { version: b.version, imageId: b.imageId };
  },
  ListImagePipelineImages(tx: Tx, input: { imagePipelineArn?: string }) {
    const p = input.imagePipelineArn ? tx.region.pipelines.get(input.imagePipelineArn) : undefined;
    if (!p || p.ownerId !== tx.ctx.accountId)
      throw new Ec2Error("ResourceNotFoundException", `The image pipeline ${input.imagePipelineArn} does not exist`);
    return {
      current: p.currentVersion,
      images: p.builds.map((b) => ({
        version: b.version,
        imageId: b.imageId,
        dateCreated: new Date(b.at).toISOString(),
        current: b.version === p.currentVersion,
      })),
    };
  },
};
