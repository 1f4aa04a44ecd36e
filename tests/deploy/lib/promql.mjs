// PromQL as the dashboard and the rules hold it: the dashboard's queries with Grafana's variables
// substituted, the rules of deploy/prometheus/alerts.yaml, and the series selectors an expression
// reads (the same reading as tests/deploy/check_alerts.py's).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO } from "./compose.mjs";

export const DASHBOARD_FILE = join(REPO, "deploy/grafana/sluice-dashboard.json");
export const RULES_FILE = join(REPO, "deploy/prometheus/alerts.yaml");

export function loadDashboard() {
  return JSON.parse(readFileSync(DASHBOARD_FILE, "utf8"));
}

/** Every panel of `dashboard`, those inside collapsed rows included. */
export function panelsOf(dashboard) {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** { panel, refId, expr } of every query of every panel. */
export function dashboardQueries(dashboard) {
  return panelsOf(dashboard).flatMap((panel) => (panel.targets ?? []).map((t) => (
    { panel: panel.title, refId: t.refId, expr: t.expr })));
}

/** { record | alert, expr } of every rule. */
export function loadRules() {
  return parse(readFileSync(RULES_FILE, "utf8")).groups.flatMap((g) => g.rules);
}

/**
 * `expr` as Grafana sends it: `$var` / `${var}` replaced from `variables` (a multi-value
 * variable's value is already a regex), the interval variables by fixed windows.
 */
export function substitute(expr, variables) {
  return expr.replace(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g, (match, braced, bare) => {
    const name = braced ?? bare;
    if (!(name in variables)) throw new Error(`no value for ${match} in: ${expr}`);
    return variables[name];
  });
}

const WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
  "unless", "offset", "bool", "inf", "nan", "atan2"]);

/**
 * The series selectors `expr` reads: { name, matchers } with matchers as written ("" when none);
 * functions, aggregations, keywords, string literals, durations and numbers are not selectors.
 */
export function selectors(expr) {
  const strings = [];
  let text = expr.replace(/"(?:[^"\\]|\\.)*"/g, (s) => { strings.push(s); return `"${strings.length - 1}"`; });
  text = text.replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const found = [];
  for (const m of text.matchAll(/(?<![\w:."])([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?/g)) {
    const [, name, matchers = ""] = m;
    if (WORDS.has(name.toLowerCase())) continue;
    if (!matchers && text.slice(m.index + m[0].length).trimStart().startsWith("(")) continue;
    const restored = matchers.replace(/"(\d+)"/g, (_, i) => strings[Number(i)]);
    found.push({ name, matchers: restored, selector: name + restored });
  }
  return found;
}

/** `expr` without its `offset` modifiers: what it reads now rather than in the past. */
export function withoutOffsets(expr) {
  return expr.replace(/\s+offset\s+-?\d+[smhdwy]/g, "");
}
