/** The diff's renderers live with the diff (diff/text.ts, diff/json.ts). */
export { diffJson } from "./diff/json.ts";
export { type RenderOptions, renderPlan } from "./diff/text.ts";
