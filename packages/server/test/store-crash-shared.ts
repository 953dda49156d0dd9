/** Deterministic events and their fold, shared by store-crash.test.ts and its child process. */
const MOD = 1_000_000_007;

/** The event with seq `seq`: about 300 bytes of JSON, content determined by seq. */
export function crashEvent(seq: number) {
  return {
    type: "InstanceStateChanged",
    seq,
    instanceId: `i-${((seq * 2654435761) % 2 ** 32).toString(16).padStart(17, "0")}`,
    from: "pending",
    to: "running",
    at: new Date(Date.UTC(2025, 0, 1) + seq * 1000).toISOString(),
    tags: { Name: `web-${seq % 97}`, Team: "platform", Env: "sandbox" },
    note: "x".repeat(seq % 90),
  };
}

function h(seq: number): number {
  return (seq * 48271 + (seq % 90) * 16807) % MOD;
}

/** Folds events from..to into `acc`. */
export function foldAcc(acc: number, from: number, to: number): number {
  for (let s = from; s <= to; s++) acc = (acc * 31 + h(s)) % MOD;
  return acc;
}
