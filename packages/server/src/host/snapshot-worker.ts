/**
 * The snapshot worker (a `node:worker_threads` thread; main side: snapshot-follower.ts). It keeps
 * a follower of each hosted sandbox — the same fold of the same durable events — and encodes a
 * snapshot of it when asked, so the event loop that answers clients never walks a large state.
 * Messages come in order: a sandbox is seeded (from its stored snapshot's JSON and the events
 * after it), then fed every batch of events once durable; an encode names the seq it wants and is
 * refused when the follower is not exactly there (the host then encodes on its own thread).
 */
import { parentPort } from "node:worker_threads";
import { type EventEnvelope, Sandbox, type SandboxSnapshot, snapshotState } from "@ec2sim/core";
import { yieldToEventLoop } from "../worker-thread.ts";

export type FollowerMessage =
  | { type: "seed"; name: string; seed: string; start?: number; snapshotJson?: string; events: EventEnvelope[] }
  | { type: "events"; name: string; events: readonly EventEnvelope[] }
  | { type: "encode"; id: number; name: string; seq: number }
  | { type: "drop"; name: string };

export type FollowerReply = { id: number; bytes: Uint8Array } | { id: number; error: string };

interface Follower {
  sb: Sandbox;
  /** Why it stopped following (a gap, a fold that threw): encodes are refused until it is seeded again. */
  lost?: string;
}

const followers = new Map<string, Follower>();

yieldToEventLoop();

function seed(m: Extract<FollowerMessage, { type: "seed" }>): Follower {
  try {
    const sb = m.snapshotJson
      ? Sandbox.fromSnapshot(JSON.parse(m.snapshotJson) as SandboxSnapshot, { seed: m.seed })
      : new Sandbox({ seed: m.seed, ...(m.start !== undefined ? { start: m.start } : {}) });
    const f: Follower = { sb };
    follow(f, m.events);
    return f;
  } catch (e) {
    return { sb: new Sandbox({ seed: m.seed }), lost: `cannot seed: ${String(e)}` };
  }
}

function follow(f: Follower, events: readonly EventEnvelope[]): void {
  if (f.lost) return;
  const fresh: EventEnvelope[] = [];
  let next = f.sb.state.seq + 1;
  for (const e of events) {
    if (e.seq < next) continue; // folded already (a seed that read past it)
    if (e.seq > next) {
      f.lost = `a gap: seq ${e.seq} after ${next - 1}`;
      return;
    }
    fresh.push(e);
    next++;
  }
  try {
    f.sb.apply(fresh);
  } catch (e) {
    f.lost = `a fold failed: ${String(e)}`;
  }
}

function encode(name: string, seq: number): Uint8Array {
  const f = followers.get(name);
  if (!f) throw new Error(`sandbox "${name}" is not followed`);
  if (f.lost) throw new Error(`sandbox "${name}" is no longer followed (${f.lost})`);
  if (f.sb.state.seq !== seq) throw new Error(`sandbox "${name}" is followed at seq ${f.sb.state.seq}, not ${seq}`);
  return new TextEncoder().encode(JSON.stringify(snapshotState(f.sb)));
}

parentPort?.on("message", (m: FollowerMessage) => {
  switch (m.type) {
    case "seed":
      followers.set(m.name, seed(m));
      return;
    case "events": {
      const f = followers.get(m.name);
      if (f) follow(f, m.events);
      return;
    }
    case "drop":
      followers.delete(m.name);
      return;
    case "encode": {
      let reply: FollowerReply;
      try {
        const bytes = encode(m.name, m.seq);
        parentPort!.postMessage({ id: m.id, bytes } satisfies FollowerReply, [bytes.buffer as ArrayBuffer]);
        return;
      } catch (e) {
        reply = { id: m.id, error: e instanceof Error ? e.message : String(e) };
      }
      parentPort!.postMessage(reply);
    }
  }
});
