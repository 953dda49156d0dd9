/**
 * RSA key pairs made off the event loop (issue #11). Core's `CreateKeyPair` is synchronous and an
 * RSA-2048 key takes tens of milliseconds of CPU; made inline, ten concurrent CreateKeyPair calls
 * stalled every other client. So the host keeps RSA keys made ahead and hands core a `KeyMaterial`
 * that takes one from the pool; a CreateKeyPair waits (asynchronously) for a key to be ready
 * before it runs. Keys are made by the key worker (key-worker.ts), a thread 10 nice levels below
 * the event loop: made in libuv's thread pool at normal priority, they still took a core from the event
 * loop on a busy machine (other clients' p99 2.1-2.4x idle, bench/endpoint/RESULTS.md). Where the
 * worker cannot start, `crypto.generateKeyPair` (the thread pool) makes them. Ed25519 keys,
 * imports and everything else go to core's own implementation.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { type GeneratedKey, type KeyMaterial, nodeKeyMaterial, rsaKeyFrom } from "@ec2sim/core";
import type { KeyReply } from "./key-worker.ts";
import { startWorker } from "./worker-thread.ts";

export class RsaKeyPool {
  private readonly ready: GeneratedKey[] = [];
  private making = 0;
  /** Calls waiting for a key, first come first served. */
  private waiting: ((key: GeneratedKey) => void)[] = [];
  /** The key handed to the command about to run (set just before it runs, synchronously). */
  private handoff: GeneratedKey | undefined;

  /**
   * @param spare keys kept made ahead when idle
   * @param useWorker make them on the key worker (false: in libuv's thread pool, as before it)
   */
  constructor(
    private readonly spare = 2,
    private readonly useWorker = true,
  ) {}

  /** The `KeyMaterial` core uses: the RSA key handed off for this command, the rest as core does it. */
  readonly material: KeyMaterial = {
    ...nodeKeyMaterial,
    generate: (type, format) => {
      if (type !== "rsa") return nodeKeyMaterial.generate(type, format);
      const key = this.handoff;
      this.handoff = undefined;
      return key ?? nodeKeyMaterial.generate(type, format); // not handed off (a replay, a test): inline
    },
  };

  /** A key made in the thread pool: at once if one is ready, else the next one made. */
  take(): Promise<GeneratedKey> {
    const key = this.ready.shift();
    this.refill();
    if (key) return Promise.resolve(key);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.refill();
    });
  }

  /** Runs `run` (synchronously) with `key` handed to the next RSA `generate`; an unused key goes back. */
  withKey<T>(key: GeneratedKey, run: () => T): T {
    this.handoff = key;
    try {
      return run();
    } finally {
      const unused = this.handoff === key; // the command failed before it made a key
      this.handoff = undefined;
      if (unused) this.giveBack(key);
    }
  }

  /** An unused key: to the first call waiting for one (it would otherwise wait for the next key made), else kept. */
  private giveBack(key: GeneratedKey): void {
    const next = this.waiting.shift();
    if (next) next(key);
    else this.ready.unshift(key);
  }

  /** Stops the key worker. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private worker: Worker | undefined;
  private workerFailed = false;
  private closed = false;

  private refill(): void {
    // One at a time: on the worker, keys are made in turn anyway; in the thread pool (4 threads) a
    // key would take one the journal's writes and fsyncs need.
    while (this.making < 1 && this.ready.length + this.making < this.waiting.length + this.spare) {
      this.making++;
      const made = (err: Error | null, publicKey?: KeyObject, privateKey?: KeyObject) => {
        this.making--;
        if (this.making === 0) this.worker?.unref();
        if (err || !publicKey || !privateKey) {
          setTimeout(() => this.refill(), 100).unref();
          return;
        }
        const key = rsaKeyFrom(privateKey, publicKey);
        const next = this.waiting.shift();
        if (next) next(key);
        else this.ready.push(key);
        this.refill();
      };
      const worker = this.keyWorker();
      if (worker) {
        worker.ref(); // a key being made keeps the process alive, as the thread pool's work does
        worker.once("message", (r: KeyReply) =>
          "error" in r ? made(new Error(r.error)) : made(null, r.publicKey, r.privateKey),
        );
        worker.postMessage(0);
      } else generateKeyPair("rsa", { modulusLength: 2048 }, made);
    }
  }

  private keyWorker(): Worker | undefined {
    if (this.worker || this.workerFailed || this.closed || !this.useWorker) return this.worker;
    try {
      const w = startWorker(import.meta.url, "key-worker");
      w.on("error", () => {
        this.workerFailed = true;
        this.worker = undefined;
        if (this.making > 0) {
          // the key it was making will not come: make it in the thread pool
          this.making--;
          this.refill();
        }
      });
      this.worker = w;
      return w;
    } catch {
      this.workerFailed = true;
      return undefined;
    }
  }
}
