/**
 * The private keys the REPL created with create-key-pair, kept in the data directory as
 * `<data>/keys/<sandbox>/<account>/<region>/<KeyName>.pem`, mode 600 (the directory 700), so
 * `ssh i-…` can offer the right one later, across runs.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class KeyStore {
  constructor(
    readonly dir: string,
    private readonly scope: { sandbox: string; accountId: string },
  ) {}

  private folder(region: string): string {
    return join(this.dir, this.scope.sandbox, this.scope.accountId, region);
  }

  pathOf(keyName: string, region = "us-east-1"): string {
    return join(this.folder(region), `${keyName.replace(/[^A-Za-z0-9._-]/g, "_")}.pem`);
  }

  save(keyName: string, material: string, region = "us-east-1"): string {
    const folder = this.folder(region);
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const p = this.pathOf(keyName, region);
    writeFileSync(p, material.endsWith("\n") ? material : `${material}\n`, { mode: 0o600 });
    chmodSync(p, 0o600);
    return p;
  }

  load(keyName: string, region = "us-east-1"): string | undefined {
    const p = this.pathOf(keyName, region);
    return existsSync(p) ? readFileSync(p, "utf8") : undefined;
  }

  list(region = "us-east-1"): string[] {
    const folder = this.folder(region);
    return existsSync(folder)
      ? readdirSync(folder)
          .filter((f) => f.endsWith(".pem"))
          .map((f) => f.slice(0, -4))
      : [];
  }
}
