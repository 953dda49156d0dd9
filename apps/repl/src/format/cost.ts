/**
 * The bill as lines: per resource, what it cost so far, a bar of its share, and a sparkline of its
 * cost over (simulated) time from the samples the view took.
 */
import type { CostSample } from "../view/sandbox-view.ts";
import { bar, fit, money, sparkline } from "./units.ts";

export interface CostLineText {
  text: string;
  resourceId?: string;
}

export function costChart(
  byResource: Record<string, number>,
  total: number,
  history: readonly CostSample[],
  labels: Record<string, string>,
  width = 80,
): string[] {
  const rows = Object.entries(byResource).sort((a, b) => b[1] - a[1]);
  if (!rows.length) return ["No charges yet: launch something (instances bill per second, 60 s minimum)."];
  const max = rows[0]![1] || 1;
  const sparkW = Math.max(8, Math.min(24, width - 70));
  const barW = 12;
  const out = [
    `${fit("RESOURCE", 22)} ${fit("WHAT", 16)} ${fit("SO FAR", 9, "right")}  ${fit("SHARE", barW)}  OVER TIME`,
  ];
  for (const [id, usd] of rows.slice(0, 30)) {
    const series = history.map((h) => h.byResource[id] ?? 0);
    out.push(
      `${fit(id, 22)} ${fit(labels[id] ?? "", 16)} ${fit(money(usd), 9, "right")}  ${bar(usd / max, barW)}  ${sparkline(series, sparkW)}`,
    );
  }
  if (rows.length > 30) out.push(`… ${rows.length - 30} more resources`);
  out.push(
    `${fit("total", 39)} ${fit(money(total), 9, "right")}  ${" ".repeat(barW)}  ${sparkline(
      history.map((h) => h.total),
      sparkW,
    )}`,
  );
  return out;
}
