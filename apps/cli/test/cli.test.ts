/**
 * The `ec2sim` command table in-process: one help per command, --version, exit codes and messages of
 * command-line mistakes, the options each command turns into, and shell completion driven through
 * real bash, fish and zsh.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import pkg from "../package.json" with { type: "json" };
import { serveArgs } from "../src/commands/serve.ts";
import { completionScript } from "../src/completion.ts";
import { main } from "../src/main.ts";
import { parseCommand } from "../src/spec.ts";
import { COMMANDS, repl, serve } from "../src/table.ts";

async function run(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe("ec2sim help and version", () => {
  it("--help lists the REPL's options and every command; --version prints the package's version", async () => {
    const help = await run("--help");
    expect(help.code).toBe(0);
    for (const c of ["serve", "export", "diff", "terraform", "completion"])
      expect(help.out).toMatch(new RegExp(`^  ${c} `, "m"));
    expect(help.out).toContain("--connect URL");
    expect((await run("--version")).out).toBe(`${pkg.version}\n`);
    expect((await run("help")).out).toBe(help.out);
  });

  it("each command has its own help, from `ec2sim CMD --help` and `ec2sim help CMD` alike", async () => {
    const serveHelp = await run("serve", "--help");
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.out).toMatch(/^Usage: ec2sim serve \[options\]/);
    expect(serveHelp.out).toContain("--accept-any-signature");
    expect(serveHelp.out).toContain("--snapshot-every N");
    expect(serveHelp.out).toContain("--header-timeout-ms MS");
    expect(serveHelp.out).toContain("--request-timeout-ms MS");
    expect(serveHelp.out).not.toContain("--tick-ms"); // a test knob, accepted but not listed
    expect((await run("help", "serve")).out).toBe(serveHelp.out);
    expect((await run("export", "-h")).out).toContain("--format cdktf|json|hcl");
    expect((await run("diff", "--help")).out).toContain("aws:[PROFILE][/REGION]");
    expect((await run("terraform", "--help")).out).toContain("ec2sim terraform reattach");
    expect((await run("completion", "--help")).out).toContain("ec2sim completion bash|zsh|fish");
  });
});

describe("command-line mistakes exit 2 with what is wrong and the usage", () => {
  it.each([
    [["frobnicate"], "unknown command 'frobnicate'"],
    [["serve", "--port", "http"], "--port must be 0..65535, not http"],
    [["serve", "--store", "cloud"], "--store must be memory, journal or a postgres:// URL, not cloud"],
    [["serve", "--nope"], "Unknown option '--nope'"],
    [["serve", "extra"], "unexpected argument: extra"],
    [["serve", "--sandbox", "../x"], "--sandbox: invalid name '../x'"],
    [["serve", "--header-timeout-ms", "0"], "--header-timeout-ms must be a positive integer, not 0"],
    [
      ["serve", "--header-timeout-ms", "40000"],
      "--header-timeout-ms must not be longer than --request-timeout-ms (the whole request's, 30000)",
    ],
    [
      ["serve", "--header-timeout-ms", "5000", "--request-timeout-ms", "2000"],
      "--header-timeout-ms must not be longer than --request-timeout-ms (the whole request's, 2000)",
    ],
    [["export", "--format", "yaml", "--out", "x"], "--format must be cdktf, json or hcl, not 'yaml'"],
    [["export", "--format", "json"], "--out DIR is required"],
    [["diff", "--from", "sandbox:A"], "--from and --to are required"],
    [["terraform"], "COMMAND is required"],
    [["terraform", "destroy"], "COMMAND must be setup or reattach, not 'destroy'"],
    [["completion", "powershell"], "SHELL must be bash, zsh or fish, not 'powershell'"],
    [["--port", "99999"], "--port must be 0..65535, not 99999"],
  ])("ec2sim %j", async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toMatch(/Usage: ec2sim/);
    expect(r.out).toBe("");
  });
});

describe("serve's options", () => {
  const args = (argv: string[], env: NodeJS.ProcessEnv = {}) => serveArgs(parseCommand(serve, argv), env);

  it("defaults: port 4566 on 127.0.0.1, the journal in EC2SIM_DATA, clock ×1", () => {
    expect(args([], { EC2SIM_DATA: "/d" })).toMatchObject({
      port: 4566,
      hostname: "127.0.0.1",
      store: "journal",
      dataDir: "/d",
      speed: 1,
      sandboxes: [],
      acceptAnySignature: false,
    });
  });

  it("a postgres URL (flag or EC2SIM_STORE) selects PostgreSQL; sandboxes with seeds; --speed applies to existing ones", () => {
    expect(args([], { EC2SIM_STORE: "postgres://u@h:5/db" })).toMatchObject({
      store: "postgres",
      postgresUrl: "postgres://u@h:5/db",
    });
    expect(
      args(["--store", "memory", "--sandbox", "a", "--sandbox", "b:seed-1", "--speed", "60", "--compact-history"]),
    ).toMatchObject({
      store: "memory",
      sandboxes: [{ name: "a" }, { name: "b", seed: "seed-1" }],
      speed: 60,
      forceSpeed: true,
      compactHistory: true,
    });
  });
});

describe("shell completion", () => {
  const dir = mkdtempSync(join(tmpdir(), "ec2sim-completion-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (shell: "bash" | "zsh" | "fish") => {
    const file = join(dir, `ec2sim.${shell}`);
    writeFileSync(file, completionScript(shell, [repl, ...COMMANDS]));
    return file;
  };

  it("bash completes commands, options, option values, directories and subcommands", () => {
    const file = script("bash");
    const complete = (line: string) => {
      const words = line.split(" ");
      const out = execFileSync(
        "bash",
        [
          "-c",
          `source "$1"; COMP_WORDS=("\${@:2}"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _ec2sim; printf '%s\\n' "\${COMPREPLY[@]}"`,
          "bash",
          file,
          ...words,
        ],
        { encoding: "utf8", cwd: dir },
      );
      return out.split("\n").filter(Boolean);
    };
    expect(complete("ec2sim se")).toEqual(["serve"]);
    expect(complete("ec2sim ")).toEqual(["serve", "export", "diff", "terraform", "completion", "help"]);
    expect(complete("ec2sim serve --s")).toEqual(["--store", "--sandbox", "--speed", "--snapshot-every"]);
    expect(complete("ec2sim serve --store ")).toEqual(["memory", "journal"]);
    expect(complete("ec2sim export --format ")).toEqual(["cdktf", "json", "hcl"]);
    expect(complete("ec2sim terraform ")).toEqual(["setup", "reattach"]);
    expect(complete("ec2sim terraform setup ")).toEqual([]);
    expect(complete("ec2sim completion z")).toEqual(["zsh"]);
    expect(complete("ec2sim --con")).toEqual(["--connect"]);
    expect(complete("ec2sim serve --port ")).toEqual([]);
    execFileSync("mkdir", ["-p", join(dir, "outdir")]);
    expect(complete("ec2sim export --out out")).toEqual(["outdir"]);
  });

  it("fish completes commands with their summaries, options and option values", () => {
    const file = script("fish");
    const complete = (line: string) =>
      execFileSync("fish", ["--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, file, line], {
        encoding: "utf8",
      })
        .split("\n")
        .filter(Boolean);
    expect(complete("ec2sim se")).toContain(
      "serve\trun the sandbox server: the EC2 Query endpoint, the WebSocket protocol and the admin API",
    );
    expect(complete("ec2sim export --format ").map((l) => l.split("\t")[0])).toEqual(["cdktf", "hcl", "json"]);
    expect(complete("ec2sim serve --acc")).toEqual([
      "--accept-any-signature\tdo not verify SigV4 signatures (for tools that sign with dummy keys)",
    ]);
    expect(complete("ec2sim terraform ").map((l) => l.split("\t")[0])).toEqual(
      expect.arrayContaining(["setup", "reattach"]),
    );
  });

  it("zsh loads the completion function and registers it for ec2sim", () => {
    const file = script("zsh");
    const out = execFileSync(
      "zsh",
      [
        "-f",
        "-c",
        'autoload -Uz compinit && compinit -u -d "$2/zcompdump" && source "$1" && print -r -- $_comps[ec2sim]',
        "zsh",
        file,
        dir,
      ],
      { encoding: "utf8" },
    );
    expect(out.trim()).toBe("_ec2sim");
  });
});
