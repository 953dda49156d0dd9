/**
 * R26: a catalog entry carries more than its AMI: a description, a getting-started text, the
 * parameters an instance needs, and the files injected into the file system at start-up. Not an
 * EC2 action (the Marketplace and catalog pages show this); the sandbox answers it for its clients.
 */
import { errors } from "./errors.ts";
import { guestBase, PARAMETERS_FILE, USER_DATA_FILE } from "./guest/os.ts";
import { requireImage } from "./images.ts";
import type { Tx } from "./tx.ts";

export const catalogEntryActions = {
  DescribeCatalogEntry(tx: Tx, input: { ImageId?: string }) {
    if (!input.ImageId) throw errors.missingParameter("ImageId");
    const img = requireImage(tx, input.ImageId);
    const user = guestBase(img.guest).defaultUser;
    const home = user === "root" ? "/root" : `/home/${user}`;
    return {
      ImageId: img.imageId,
      Name: img.name,
      Catalog: img.catalog ?? (img.ownerId === tx.ctx.accountId ? "my-amis" : "shared"),
      ...(img.ownerAlias ? { OwnerAlias: img.ownerAlias } : {}),
      Description: img.description ?? "",
      GettingStarted: img.gettingStarted ?? "",
      Parameters: (img.parameters ?? []).map((p) => ({
        Name: p.name,
        Description: p.description,
        ...(p.default !== undefined ? { Default: p.default } : {}),
      })),
      ProductCodes: img.productCodes.map((p) => ({
        ProductCodeId: p.productCodeId,
        ProductCodeType: p.productCodeType,
      })),
      SoftwareUsdPerHour: img.softwareUsdPerHour ?? 0,
      InjectedFiles: [
        ...(img.platform === "windows"
          ? []
          : [
              {
                Path: `${home}/.ssh/authorized_keys`,
                Source: "the public key of the key pair named at launch",
                When: "first boot",
              },
            ]),
        { Path: USER_DATA_FILE, Source: "the instance's user data", When: "every boot" },
        ...(img.parameters?.length
          ? [
              {
                Path: PARAMETERS_FILE,
                Source: "the parameters: a NAME=value line in the user data, else the default",
                When: "first boot",
              },
            ]
          : []),
      ],
    };
  },
};
