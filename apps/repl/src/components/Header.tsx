/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Text } from "ink";
import { clockText, fit, money } from "../format/units.ts";
import type { ViewSnapshot } from "../view/sandbox-view.ts";

/** One line: where you are, the simulated clock, the bill, the connection. */
export function Header({
  snap,
  now,
  width,
  endpoint,
}: {
  snap: ViewSnapshot;
  now: number;
  width: number;
  endpoint?: string;
}) {
  const conn = snap.connection === "open" ? "" : ` · ${snap.connection}`;
  const left = `ec2sim · ${snap.sandbox} · ${snap.accountId} · us-east-1 · ${clockText(now)} ×${snap.clock.speed}${snap.clock.paused ? " paused" : ""}${conn}`;
  const right = `${money(snap.costTotal)}`;
  const room = Math.max(0, width - right.length - 1);
  return (
    <Text>
      <Text bold color={snap.connection === "open" ? "cyan" : "red"}>
        {fit(left, room)}
      </Text>{" "}
      <Text color="yellow">{right}</Text>
      {endpoint ? null : null}
    </Text>
  );
}
