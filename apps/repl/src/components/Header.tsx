/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Text } from "ink";
import { clockText, fit, money } from "../format/units.ts";
import type { ViewSnapshot } from "../view/sandbox-view.ts";

/** One line: where you are (sandbox, account, region), the simulated clock, the bill, the connection. */
export function Header({
  snap,
  now,
  width,
  region,
  starting,
}: {
  snap: ViewSnapshot | undefined;
  now: number;
  width: number;
  region: string;
  /** Shown instead of the clock while the server starts and the view is read. */
  starting?: string;
}) {
  if (!snap) {
    return (
      <Text bold color="cyan" wrap="truncate-end">
        {fit(`ec2sim · ${starting ?? "starting…"}`, width)}
      </Text>
    );
  }
  const conn = snap.connection === "open" ? "" : ` · ${snap.connection}`;
  const who = snap.alias ? `${snap.alias} ${snap.accountId}` : snap.accountId;
  const left = `ec2sim · ${snap.sandbox} · ${who} · ${region} · ${clockText(now)} ×${snap.clock.speed}${snap.clock.paused ? " paused" : ""}${conn}${snap.problem ? ` · ${snap.problem}` : ""}`;
  const right = money(snap.costTotal);
  const room = Math.max(0, width - right.length - 1);
  return (
    <Text wrap="truncate-end">
      <Text bold color={snap.connection === "open" ? (snap.problem ? "yellow" : "cyan") : "red"}>
        {fit(left, room)}
      </Text>{" "}
      <Text color="yellow">{right}</Text>
    </Text>
  );
}
