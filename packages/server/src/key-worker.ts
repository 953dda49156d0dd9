/**
 * The key worker (a `node:worker_threads` thread; main side: key-pool.ts): makes RSA-2048 key
 * pairs one at a time, 10 nice levels below the event loop, so making them for one client never takes the CPU
 * from the thread that answers the others. Each message asks for one key; the answer carries the
 * `KeyObject`s (cloned across threads).
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { parentPort } from "node:worker_threads";
import { yieldToEventLoop } from "./worker-thread.ts";

export type KeyReply = { id: number; publicKey: KeyObject; privateKey: KeyObject } | { id: number; error: string };

yieldToEventLoop();

parentPort?.on("message", (id: number) => {
  let reply: KeyReply;
  try {
    reply = { id, ...generateKeyPairSync("rsa", { modulusLength: 2048 }) };
  } catch (e) {
    reply = { id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(reply);
});
