/**
 * RSA key pairs made off the event loop (issue #11). Core's `CreateKeyPair` is synchronous and an
 * RSA-2048 key takes tens of milliseconds of CPU; made inline, ten concurrent CreateKeyPair calls
 * stalled every other client. So the host keeps RSA keys made ahead by `crypto.generateKeyPair`
 * (libuv's thread pool) and hands core a `KeyMaterial` that takes one from the pool; a
 * CreateKeyPair waits (asynchronously) for a key to be ready before it runs. Ed25519 keys,
 * imports and everything else go to core's own implementation.
 */
import { generateKeyPair, type KeyObject } from "node:crypto";
import { type GeneratedKey, type KeyMaterial, nodeKeyMaterial, rsaKeyFrom } from "@ec2sim/core";

export class RsaKeyPool {
  private readonly ready: GeneratedKey[] = [];
  private making = 0;
  /** Calls waiting for a key, first come first served. */
  private waiting: ((key: GeneratedKey) => void)[] = [];
  /** The key handed to the command about to run (set just before it runs, synchronously). */
  private handoff: GeneratedKey | undefined;

  /** @param spare keys kept made ahead when idle */
  constructor(private readonly spare = 2) {}

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
      if (this.handoff === key) this.ready.unshift(key); // the command failed before it made a key
      this.handoff = undefined;
    }
  }

  private refill(): void {
    // One at a time: a key takes one thread of libuv's pool (4), which the journal's writes and fsyncs need too.
    while (this.making < 1 && this.ready.length + this.making < this.waiting.length + this.spare) {
      this.making++;
      generateKeyPair("rsa", { modulusLength: 2048 }, (err, publicKey: KeyObject, privateKey: KeyObject) => {
        this.making--;
        if (err) {
          setTimeout(() => this.refill(), 100).unref();
          return;
        }
        const key = rsaKeyFrom(privateKey, publicKey);
        const next = this.waiting.shift();
        if (next) next(key);
        else this.ready.push(key);
        this.refill();
      });
    }
  }
}
