/**
 * One suite, two stores: the AWS SDK story suite (test/endpoint/src/sdk-story.ts, also run on the
 * embedded journal store by test/endpoint) on PostgreSQL — through one `ec2sim serve`, then
 * through two replicas on one database, every request going to the other replica than the last
 * (the same assertions hold: the same result as through one server).
 * Fails (never skips) without the PostgreSQL server binaries.
 */

import { oneServerTarget, sdkStorySuite } from "@ec2sim/test-endpoint/src/sdk-story.ts";
import type { ServerProcess } from "@ec2sim/test-harness";
import { type PgCluster, startCluster } from "@ec2sim/test-pg";
import { afterAll, expect } from "vitest";
import { freshDatabase, roundRobinClient, startReplica } from "./harness.ts";

let cluster: PgCluster | undefined;
const getCluster = async () => (cluster ??= await startCluster());
afterAll(async () => {
  await cluster?.destroy();
});

sdkStorySuite("AWS SDK v3 against ec2sim serve (PostgreSQL store)", async () => {
  const db = await freshDatabase(await getCluster(), "story1");
  return oneServerTarget(() => startReplica(db));
});

sdkStorySuite("AWS SDK v3 through two ec2sim replicas on one PostgreSQL database, alternately", async () => {
  const db = await freshDatabase(await getCluster(), "story2");
  let servers: ServerProcess[] = [await startReplica(db), await startReplica(db)];
  const clients: { sentTo: number[] }[] = [];
  return {
    get url() {
      return servers[0]!.url;
    },
    client(account, region) {
      const c = roundRobinClient(
        servers.map((s) => s.url),
        account,
        region,
      );
      clients.push(c);
      return c;
    },
    async restart() {
      const stopped = await Promise.all(servers.map(async (s) => ({ code: await s.stop(), output: s.output() })));
      servers = [await startReplica(db), await startReplica(db)];
      return stopped;
    },
    async close() {
      // Both replicas served the story.
      const sent = clients.reduce((acc, c) => acc.map((n, i) => n + c.sentTo[i]!), [0, 0]);
      expect(Math.min(...sent)).toBeGreaterThan(10);
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
});
