/** The fold of SSM's events: each names its region and account. */
import type { EventOf } from "../events.ts";
import { regionState, type SandboxState } from "../state.ts";
import { tagMap } from "../tags.ts";
import { latest, parametersOf } from "./model.ts";

export type SsmEvent = EventOf<
  "SsmParameterPut" | "SsmParametersDeleted" | "SsmParameterLabeled" | "SsmParameterUnlabeled" | "SsmTagsChanged"
>;

const MAX_VERSIONS = 100;

export function applySsmEvent(state: SandboxState, e: SsmEvent, at: number): void {
  const params = parametersOf(regionState(state, e.region), e.accountId, true);
  switch (e.type) {
    case "SsmParameterPut": {
      let p = params.get(e.name);
      if (!p) params.set(e.name, (p = { name: e.name, versions: [], tags: tagMap(e.tags) }));
      p.versions.push({
        version: e.version,
        value: e.value,
        type: e.parameterType,
        dataType: e.dataType,
        ...(e.keyId !== undefined ? { keyId: e.keyId } : {}),
        ...(e.description !== undefined ? { description: e.description } : {}),
        ...(e.allowedPattern !== undefined ? { allowedPattern: e.allowedPattern } : {}),
        tier: e.tier,
        lastModified: at,
        labels: [],
      });
      // SSM keeps 100 versions: the oldest goes (the action refused this when it was labelled).
      if (p.versions.length > MAX_VERSIONS) p.versions.shift();
      return;
    }
    case "SsmParametersDeleted":
      for (const n of e.names) params.delete(n);
      return;
    case "SsmParameterLabeled": {
      const p = params.get(e.name);
      if (!p) return;
      // A label names one version: labelling moves it.
      for (const v of p.versions) v.labels = v.labels.filter((l) => !e.labels.includes(l));
      const v = p.versions.find((x) => x.version === e.version) ?? latest(p);
      v.labels.push(...e.labels);
      return;
    }
    case "SsmParameterUnlabeled": {
      const v = params.get(e.name)?.versions.find((x) => x.version === e.version);
      if (v) v.labels = v.labels.filter((l) => !e.labels.includes(l));
      return;
    }
    case "SsmTagsChanged": {
      const p = params.get(e.name);
      if (!p) return;
      for (const k of e.remove) p.tags.delete(k);
      for (const [k, v] of e.set) p.tags.set(k, v);
      return;
    }
  }
}
