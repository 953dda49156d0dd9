/** @jsxRuntime automatic */
/** @jsxImportSource react */
/**
 * A real in-process ec2sim server (memory store, paused clock) for the REPL's component tests, and
 * the REPL mounted against it with ink-testing-library: what the `*.server.test.tsx` files share.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxClient } from "@ec2sim/protocol";
import { type AccountInfo, type RunningSandboxServer, startServer } from "@ec2sim/server";
import { App } from "../components/App.tsx";
import { History } from "../state/history.ts";
import { KeyStore } from "../state/key-store.ts";
import { SandboxView } from "../view/sandbox-view.ts";
import { type Screen, screen } from "./screen.ts";

export interface MountOptions {
  columns?: number;
  rows?: number;
  /** Tell Ink the terminal is this wide too (ink-testing-library's stdout is 100 wide otherwise). */
  inkColumns?: boolean;
  history?: History;
  onExit?: () => void;
}

export interface Mounted {
  s: Screen;
  client: SandboxClient;
  view: SandboxView;
  keys: KeyStore;
  history: History;
}

export interface LiveServer {
  readonly server: RunningSandboxServer;
  /** The sandbox's first account, which the REPL signs in as. */
  readonly account: AccountInfo;
  /** A temporary directory for the test's files (removed by `close`). */
  readonly dir: string;
  /** An EC2 action as the account, straight into the server's host (what the AWS CLI would reach). */
  // biome-ignore lint/suspicious/noExplicitAny: the tests read EC2's answers as the AWS CLI prints them, untyped
  ec2(action: string, input: Record<string, unknown>, region?: string): Promise<any>;
  /** The ID of the newest al2023 x86_64 AMI. */
  al2023(): Promise<string>;
  /** Launches `count` al2023 t3.micro instances named `name`; their IDs. */
  launch(name: string, count?: number): Promise<string[]>;
  /** Signs in over the WebSocket as `as` (default: the first account) with a live view, as `account NAME` does. */
  session(as?: AccountInfo): Promise<Omit<Mounted, "s" | "history">>;
  /** Signs in over the WebSocket as the account and mounts the REPL (unmounted by `close`). */
  mount(opts?: MountOptions): Promise<Mounted>;
  /** Runs `fn` when the server closes (before it does). */
  onClose(fn: () => unknown): void;
  close(): Promise<void>;
}

export async function startLiveServer(name: string): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), `ec2sim-${name}-test-`));
  const server = await startServer({ store: "memory", port: 0, tickMs: 30, log: () => undefined });
  const account = server.sandboxes[0]!.accounts[0]!;
  await server.host.setClock("default", { paused: true });
  const cleanups: (() => unknown)[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const ec2 = (action: string, input: Record<string, unknown>, region = "us-east-1"): Promise<any> =>
    server.host.call("default", { accountId: account.accountId, region }, action, input);
  let al2023: string | undefined;
  const live: LiveServer = {
    server,
    account,
    dir,
    ec2,
    async al2023() {
      if (al2023 === undefined) {
        const { Images } = await ec2("DescribeImages", {
          Owners: ["amazon"],
          Filters: [{ Name: "name", Values: ["al2023-ami-2023*-x86_64"] }],
        });
        al2023 = Images[0].ImageId as string;
      }
      return al2023;
    },
    async launch(name, count = 1) {
      const { Instances } = await ec2("RunInstances", {
        ImageId: await live.al2023(),
        InstanceType: "t3.micro",
        MinCount: count,
        MaxCount: count,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: name }] }],
      });
      return Instances.map((i: { InstanceId: string }) => i.InstanceId);
    },
    async session(as = account) {
      const client = await SandboxClient.connect({
        url: server.url,
        accessKeyId: as.accessKeyId,
        secretAccessKey: as.secretAccessKey,
      });
      const view = new SandboxView(client, { throttleMs: 20, costEveryMs: 200, notifyMs: 10 });
      await view.start();
      cleanups.push(
        () => view.stop(),
        () => client.close(),
      );
      return {
        client,
        view,
        keys: new KeyStore(join(dir, "keys"), { sandbox: "default", accountId: client.accountId }),
      };
    },
    async mount(opts = {}) {
      const { client, view, keys } = await live.session();
      const history = opts.history ?? new History();
      const columns = opts.columns ?? 100;
      const s = screen(
        <App
          session={{ client, view, keys }}
          history={history}
          onExit={opts.onExit ?? (() => undefined)}
          size={{ columns, rows: opts.rows ?? 30 }}
        />,
        opts.inkColumns ? { columns } : {},
      );
      cleanups.push(() => s.unmount());
      return { s, client, view, keys, history };
    },
    onClose(fn) {
      cleanups.push(fn);
    },
    async close() {
      for (const c of cleanups.reverse()) await c();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return live;
}
