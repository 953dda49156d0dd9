/**
 * The `ec2sim` command table: every command's options, usage and help, and a `run` that imports
 * the command's module only when it runs — so `ec2sim --help` loads nothing but this file, and
 * `ec2sim serve` never loads the CDKTF bridge or the Terraform provider.
 */
import { DEFAULT_ACCOUNT_ID } from "@ec2sim/core/defaults";
import type { CommandSpec, OptionSpec } from "./spec.ts";

const DATA: OptionSpec = {
  type: "string",
  arg: "DIR",
  complete: "dir",
  help: "data directory (default ~/.ec2sim/data, env EC2SIM_DATA)",
};
const SPEED: OptionSpec = { type: "string", arg: "N", help: "simulated clock speed (default 1)" };

/** The REPL: `ec2sim` with no command. */
export const repl: CommandSpec = {
  name: "",
  summary: "open the REPL on a sandbox",
  usage: [
    "ec2sim [options]                  open the REPL on a sandbox (starts a server in-process)",
    "ec2sim --connect URL [options]    open the REPL on a running server (ws://HOST:PORT or http://HOST:PORT)",
    "ec2sim <command> [options]        (commands below; ec2sim <command> --help)",
  ],
  options: {
    data: { ...DATA, help: "data directory (default ~/.ec2sim/data, env EC2SIM_DATA): journal, history, keys" },
    port: { type: "string", arg: "N", help: "port of the in-process server (default 4566 when free, else a free one)" },
    sandbox: { type: "string", arg: "NAME", help: 'sandbox to open (default "default")' },
    speed: { ...SPEED, help: "clock speed of a sandbox created now (default 1)" },
    connect: { type: "string", arg: "URL", help: "join a running ec2sim server instead of starting one" },
    "access-key-id": {
      type: "string",
      arg: "K",
      help: "with --connect: the account's credentials (default: env AWS_ACCESS_KEY_ID /",
    },
    "secret-access-key": {
      type: "string",
      arg: "S",
      help: "AWS_SECRET_ACCESS_KEY, else the sandbox's first account from the server)",
    },
    version: { type: "boolean", help: "print the version" },
  },
  run: async (a) => (await import("./commands/repl.ts")).repl(a),
};

export const serve: CommandSpec = {
  name: "serve",
  summary: "run the sandbox server: the EC2 Query endpoint, the WebSocket protocol and the admin API",
  usage: ["ec2sim serve [options]"],
  description: [
    "Serves the EC2 Query API (the AWS CLI, SDKs and Terraform work against it unchanged), the WebSocket",
    "protocol of REPLs and the admin API, until Ctrl-C; prints the endpoint and the sandbox's credentials.",
  ].join("\n"),
  options: {
    port: { type: "string", arg: "N", help: "port to listen on (default 4566; 0 picks a free one)" },
    host: {
      type: "string",
      arg: "ADDR",
      help: [
        "address to bind (default 127.0.0.1); any other than loopback needs TLS (--tls-cert/--tls-key)",
        "or --insecure-expose (see docs/SECURITY.md)",
      ].join("\n"),
    },
    "tls-cert": { type: "string", arg: "FILE", help: "serve HTTPS with this PEM certificate (with --tls-key)" },
    "tls-key": { type: "string", arg: "FILE", help: "the PEM private key of --tls-cert" },
    "insecure-expose": {
      type: "boolean",
      help: "allow a non-loopback --host without TLS (keys and the admin token travel in clear)",
    },
    "allow-host": {
      type: "string",
      multiple: true,
      arg: "NAME",
      help: "a host name the admin API and the WebSocket answer to besides loopback; repeatable",
    },
    "allow-origin": {
      type: "string",
      multiple: true,
      arg: "ORIGIN",
      help: "a web origin (https://tools.example) allowed to use them; repeatable",
    },
    data: {
      ...DATA,
      help: [
        "data directory of the journal store, the admin token (admin-token, mode 600; or env",
        "EC2SIM_ADMIN_TOKEN) and the install secret (default ~/.ec2sim/data, env EC2SIM_DATA)",
      ].join("\n"),
    },
    store: {
      type: "string",
      arg: "memory|journal|postgres://USER@HOST:PORT/DB",
      suggest: ["memory", "journal"],
      help: [
        "where sandboxes live (default journal: durable on disk; env EC2SIM_STORE);",
        "a PostgreSQL URL lets several servers share sandboxes (schema created by the server)",
      ].join("\n"),
    },
    sandbox: {
      type: "string",
      multiple: true,
      arg: "NAME[:SEED]",
      help: [
        "a sandbox to create when missing; repeatable; the first is served at /",
        '(default: "default"), the others at /sandbox/NAME/',
      ].join("\n"),
    },
    speed: {
      ...SPEED,
      help: "simulated clock speed of new sandboxes (default 1; applied to existing ones when given)",
    },
    "accept-any-signature": {
      type: "boolean",
      help: "do not verify SigV4 signatures (for tools that sign with dummy keys)",
    },
    "snapshot-every": {
      type: "string",
      arg: "N",
      help: "save a sandbox's snapshot every N events, so it loads fast (default 10000; 0 never)",
    },
    "compact-history": {
      type: "boolean",
      help: [
        "delete the events a snapshot covers (default: keep all history, so exports,",
        "diffs and the events API can still go back to any seq); cannot be undone",
      ].join("\n"),
    },
    "tick-ms": { type: "string", arg: "MS", hidden: true, help: "ticker period (tests)" },
    "max-connections": {
      type: "string",
      arg: "N",
      help: "open connections allowed in all; beyond, a 503 ServiceUnavailable and close (default 8192)",
    },
    "max-connections-per-client": {
      type: "string",
      arg: "N",
      help: "open connections allowed per client address (default 512)",
    },
    "header-timeout-ms": {
      type: "string",
      arg: "MS",
      help: "time a client has to send a request's headers; beyond, a 408 RequestTimeout and close (default 10000)",
    },
    "request-timeout-ms": {
      type: "string",
      arg: "MS",
      help: "time a client has to send a whole request, headers and body (default 30000)",
    },
    "snapshot-on-loop": {
      type: "boolean",
      hidden: true,
      help: "encode snapshots on the event loop, not the snapshot worker (benchmarks)",
    },
    "keys-in-thread-pool": {
      type: "boolean",
      hidden: true,
      help: "make RSA keys in libuv's thread pool, not the key worker (benchmarks)",
    },
  },
  run: async (a) => (await import("./commands/serve.ts")).serve(a),
};

const SOURCE_OPTIONS: Record<string, OptionSpec> = {
  account: { type: "string", arg: "ID", help: `the sandbox account (default ${DEFAULT_ACCOUNT_ID})` },
  region: {
    type: "string",
    multiple: true,
    arg: "R",
    help: "only these regions (repeatable; default every region used)",
  },
  server: {
    type: "string",
    arg: "URL",
    help: "a running ec2sim server (default $EC2SIM_URL or http://127.0.0.1:4566)",
  },
  data: {
    ...DATA,
    help: "read sandboxes from a data directory instead (no server may hold it)",
  },
};

export const exportCommand: CommandSpec = {
  name: "export",
  summary: "write a sandbox as a CDKTF project, Terraform JSON or HCL",
  usage: ["ec2sim export --format cdktf|json|hcl --out DIR [options]"],
  description: [
    "Writes a sandbox as a CDKTF TypeScript project (cdktf), the synthesized cdk.tf.json (json) or",
    "Terraform HCL (hcl). What cannot be expressed is listed in DIR/NOT-EXPORTED.md and printed.",
    "The first export installs cdktf and @cdktf/provider-aws (about 400 MB) unless they are installed.",
  ].join("\n"),
  options: {
    format: {
      type: "string",
      arg: "cdktf|json|hcl",
      choices: ["cdktf", "json", "hcl"],
      help: "what to write (default cdktf)",
    },
    out: { type: "string", arg: "DIR", complete: "dir", help: "the folder to write (required)" },
    sandbox: { type: "string", arg: "NAME", help: 'the sandbox (default "default")' },
    from: {
      type: "string",
      arg: "aws:[PROFILE][/REGION]",
      help: "export an AWS account (read through the SDK) instead of a sandbox, with import {} blocks",
    },
    endpoint: { type: "string", arg: "URL", help: "the EC2 endpoint of --from" },
    at: { type: "string", arg: "SEQ", help: "the sandbox as of event SEQ (default: now)" },
    "include-secrets": {
      type: "boolean",
      help: "put guest files that look like credentials into user data (default: left out, listed)",
    },
    "pin-packages": { type: "boolean", help: "pin packages to the versions installed in the guest" },
    force: {
      type: "boolean",
      help: "overwrite files edited since the last export (default: refuse and show what would change)",
    },
    "no-origin-tags": {
      type: "boolean",
      help: "leave out the ec2sim:origin tags (diff then pairs resources by content)",
    },
    "ami-strategy": {
      type: "string",
      arg: "rebuild|lookup|packer",
      choices: ["rebuild", "lookup", "packer"],
      help: [
        "own AMIs: rebuild = aws_ami_from_instance/aws_ami_copy of the exported instance (default;",
        "may image it before cloud-init finishes on real EC2), lookup = an existing AMI by ID (a",
        "variable each), packer = a Packer template per AMI (packer/*.pkr.hcl) and its newest build by name",
      ].join("\n"),
    },
    ...SOURCE_OPTIONS,
  },
  run: async (a) => (await import("./commands/bridge.ts")).exportCommand(a),
};

export const diff: CommandSpec = {
  name: "diff",
  summary: "plan/diff a sandbox against an AWS account, a Terraform state or another sandbox",
  usage: ["ec2sim diff --from SPEC --to SPEC [--json] [--detailed-exitcode] [options]"],
  description: [
    "Shows what it would take to make --to look like --from, in terraform plan's words.",
    "SPEC is one of:",
    "  sandbox:NAME[@SEQ]         a sandbox (of the server at --server, or of --data DIR), optionally as of event SEQ",
    "  aws:[PROFILE][/REGION]     an AWS account through the SDK's credentials chain (a profile when given);",
    "                             --endpoint URL (or AWS_ENDPOINT_URL_EC2) points it at any EC2 endpoint",
    "  tfstate:FILE|DIR           a Terraform state: `terraform show -json` output, a .tfstate file, or a",
    "                             folder where `terraform show -json` is run",
    "Resources pair by origin tag, then by content (alike resources in creation order), then by name.",
    "What --to holds that --from does not describe is unmanaged (a destroy only for a tfstate: --to);",
    "the coverage is the share of --to that --from manages. --json prints terraform show -json's",
    "resource_changes. .ec2simignore: one pattern a line over addresses, type.ID or IDs (* ? ! #).",
  ].join("\n"),
  options: {
    from: { type: "string", arg: "SPEC", help: "the wanted side (required)" },
    to: { type: "string", arg: "SPEC", help: "the side to change (required)" },
    json: { type: "boolean", help: "machine-readable output" },
    "detailed-exitcode": { type: "boolean", help: "exit 0 when the same, 1 on error, 2 when there are differences" },
    endpoint: { type: "string", arg: "URL", help: "the EC2 endpoint of aws: sources" },
    "only-managed": {
      type: "boolean",
      help: "leave out what --to holds that --from does not describe (unmanaged resources)",
    },
    "ignore-file": {
      type: "string",
      arg: "FILE",
      complete: "file",
      help: "resources to leave out, one address/ID pattern a line (default ./.ec2simignore)",
    },
    adopt: {
      type: "string",
      arg: "DIR",
      complete: "dir",
      help: "write the export of --from (a sandbox) to DIR with Terraform 1.5 import {} blocks for what --to holds",
    },
    format: {
      type: "string",
      arg: "hcl|json",
      choices: ["hcl", "json"],
      help: "the format of --adopt's project (default hcl)",
    },
    ...SOURCE_OPTIONS,
  },
  run: async (a) => (await import("./commands/bridge.ts")).diffCommand(a),
};

export const terraform: CommandSpec = {
  name: "terraform",
  summary: "install the Terraform provider plugin for a project, or run it long-lived",
  usage: [
    "ec2sim terraform setup [--dir PROJECT] [--address ADDR] [--endpoint URL]",
    "ec2sim terraform reattach [--endpoint URL]",
  ],
  description: [
    "Commands:",
    "  setup      install the provider plugin and write a Terraform CLI config that installs it offline",
    "  reattach   run one long-lived provider process and print TF_REATTACH_PROVIDERS (fast loops)",
  ].join("\n"),
  positionals: [{ name: "COMMAND", choices: ["setup", "reattach"], required: true }],
  options: {
    dir: {
      type: "string",
      arg: "PROJECT",
      complete: "dir",
      help: "setup: the Terraform project (default: the current directory); files go to\nPROJECT/.ec2sim/terraform/",
    },
    address: {
      type: "string",
      arg: "ADDR",
      choices: ["hashicorp/aws", "ec2sim/ec2sim"],
      help: [
        'setup: hashicorp/aws (default): configurations that say source = "hashicorp/aws"',
        "get this plugin (ec2sim/ec2sim is installed too);",
        'ec2sim/ec2sim: only source = "ec2sim/ec2sim" gets it, hashicorp/aws',
        "stays the real provider from the registry",
      ].join("\n"),
    },
    endpoint: {
      type: "string",
      arg: "URL",
      help: "the ec2sim EC2 endpoint the plugin talks to (default: EC2SIM_ENDPOINT at\nrun time, else http://127.0.0.1:4566)",
    },
  },
  run: async (a) => (await import("./commands/terraform.ts")).terraformCommand(a),
};

export const completion: CommandSpec = {
  name: "completion",
  summary: "print a shell completion script (bash, zsh or fish)",
  usage: ["ec2sim completion bash|zsh|fish"],
  description: [
    "Load it in your shell:",
    '  bash   eval "$(ec2sim completion bash)"          (or save it in ~/.local/share/bash-completion/completions/ec2sim)',
    '  zsh    ec2sim completion zsh > "${fpath[1]}/_ec2sim"   (then compinit)',
    "  fish   ec2sim completion fish > ~/.config/fish/completions/ec2sim.fish",
  ].join("\n"),
  positionals: [{ name: "SHELL", choices: ["bash", "zsh", "fish"], required: true }],
  options: {},
  run: async (a) => {
    const { completionScript } = await import("./completion.ts");
    process.stdout.write(completionScript(a.positionals[0] as "bash" | "zsh" | "fish", [repl, ...COMMANDS]));
    return 0;
  },
};

export const help: CommandSpec = {
  name: "help",
  summary: "help for a command (ec2sim help serve)",
  usage: ["ec2sim help [COMMAND]"],
  positionals: [{ name: "COMMAND", choices: ["serve", "export", "diff", "terraform", "completion", "help"] }],
  options: {},
  // Answered by main.ts, which knows the whole table.
  run: async () => 0,
};

/** Every subcommand, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [serve, exportCommand, diff, terraform, completion, help];
