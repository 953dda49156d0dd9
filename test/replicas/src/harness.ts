/**
 * Replicas: real `ec2sim serve --store postgres://…` processes (bin/ec2sim, as a user runs it) on
 * one database of a throwaway PostgreSQL cluster (@ec2sim/test-pg), and SDK clients that spread
 * their requests over them.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import { type Credentials, type ServerProcess, startServer } from "@ec2sim/test-harness";
import type { PgCluster } from "@ec2sim/test-pg";

let databases = 0;

/** A fresh database of the cluster (one per suite, so suites do not see each other's sandboxes). */
export async function freshDatabase(cluster: PgCluster, prefix: string): Promise<string> {
  return cluster.createDatabase(`${prefix}_${process.pid}_${++databases}`);
}

/** Starts one `ec2sim serve` on the PostgreSQL store (its data dir is unused, removed on exit). */
export function startReplica(storeUrl: string, opts: { speed?: number } = {}): Promise<ServerProcess> {
  return startServer({ store: storeUrl, speed: opts.speed ?? 200, timeoutMs: 60_000 });
}

/**
 * An EC2 client whose requests go to the given servers in turn (1, 2, 1, 2, …). The request is
 * signed for the first server's host:port; each replica checks the signature, not the port.
 */
export function roundRobinClient(
  urls: readonly string[],
  account: Credentials,
  region = "us-east-1",
): EC2Client & { sentTo: number[] } {
  const client = new EC2Client({
    endpoint: urls[0]!,
    region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 1,
  }) as EC2Client & { sentTo: number[] };
  client.sentTo = urls.map(() => 0);
  let next = 0;
  const ports = urls.map((u) => Number(new URL(u).port));
  client.middlewareStack.add(
    (nextHandler) => async (args) => {
      const i = next++ % urls.length;
      client.sentTo[i]!++;
      (args.request as { port?: number }).port = ports[i]!;
      return nextHandler(args);
    },
    { step: "deserialize", name: "ec2simRoundRobin", priority: "low" },
  );
  return client;
}
