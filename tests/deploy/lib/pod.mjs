// Runs a manifest's container as its platform would, on this machine: every volume mount becomes a
// folder under a temporary root (ConfigMap files written, each projected secret a placeholder
// file, emptyDirs empty), the mount paths in the config file and the arguments point there, and
// the container's env is passed as is. So `sluice check` judges the very config, secret paths and
// data dir the pod would have, and `serve` answers the probes the manifest declares.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BINARY, start } from "../../e2e/lib/processes.mjs";

export { BINARY, start };

/** Lays out `container`'s mounts of `podSpec` under a new root; returns { root, remap(text) }. */
export function materialize(podSpec, container, configMaps) {
  const root = mkdtempSync(join(tmpdir(), "sluice-pod-"));
  const mounts = container.volumeMounts ?? [];
  for (const mount of mounts) {
    const dir = join(root, mount.mountPath);
    mkdirSync(dir, { recursive: true });
    const volume = podSpec.volumes.find((v) => v.name === mount.name);
    if (!volume) throw new Error(`${container.name}: volumeMount ${mount.name} names no volume`);
    if (volume.configMap) {
      const cm = configMaps.find((c) => c.metadata.name === volume.configMap.name);
      if (!cm) throw new Error(`volume ${volume.name}: no ConfigMap ${volume.configMap.name}`);
      for (const [file, text] of Object.entries(cm.data)) writeFileSync(join(dir, file), text);
    } else if (volume.secret) {
      for (const item of volume.secret.items ?? []) {
        writeFileSync(join(dir, item.path), `placeholder-${item.key}\n`);
      }
    }
  }
  // Longest mount path first, so that /a/b is not rewritten as a mount of /a.
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const remap = (text) => sorted.reduce(
    (t, m) => t.split(m.mountPath).join(join(root, m.mountPath)), text);
  for (const mount of mounts) {
    const volume = podSpec.volumes.find((v) => v.name === mount.name);
    if (!volume.configMap) continue;
    for (const file of Object.keys(configMaps.find((c) => c.metadata.name === volume.configMap.name).data)) {
      const path = join(root, mount.mountPath, file);
      writeFileSync(path, remap(readFileSync(path, "utf8")));
    }
  }
  return { root, remap };
}

/** The container's env as a plain object; a secret reference becomes a placeholder value. */
export function containerEnv(container) {
  const env = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) env[e.name] = `placeholder-${e.valueFrom.secretKeyRef.name}`;
    else throw new Error(`env ${e.name}: only values and secret references are supported here`);
  }
  return env;
}

/** Runs `sluice ...args` to completion: { code, stdout, stderr }. */
export function run(args, env, timeoutMs = 30000) {
  return new Promise((resolve) => {
    execFile(BINARY, args, { env: { PATH: process.env.PATH, HOME: "/tmp", ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? -1 : 0, stdout, stderr }));
  });
}

/** The effective config `sluice check --print` shows (printed even when a probe fails). */
export async function effectiveConfig(args, env) {
  const { stdout, stderr } = await run([...args, "--print"], env);
  if (!stdout.includes("shutdown:")) throw new Error(`check --print printed no config:\n${stderr}`);
  return { text: stdout, errors: stderr };
}

/** The value of `section.key` in the YAML `check --print` writes (two-level keys only). */
export function printedValue(text, section, key) {
  const lines = text.split("\n");
  const at = lines.indexOf(`${section}:`);
  if (at < 0) throw new Error(`no section ${section} in:\n${text}`);
  for (const line of lines.slice(at + 1)) {
    if (!line.startsWith("  ")) break;
    const m = line.match(new RegExp(`^  ${key}: (.*)$`));
    if (m) return m[1].replace(/^"|"$/g, "");
  }
  throw new Error(`no ${section}.${key} in the printed config`);
}

/** Seconds of a sluice duration (250ms, 5s, 1m, 1h, 7d, or bare seconds). */
export function seconds(duration) {
  const m = String(duration).match(/^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/);
  if (!m) throw new Error(`not a duration: ${duration}`);
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? "s"];
  return Number(m[1]) * unit;
}

/** GETs `url` until it answers `status` (a server just started may still say 503). */
export async function waitForStatus(url, status = 200, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { last = (await fetch(url)).status; } catch (e) { last = e.message; }
    if (last === status) return;
    if (Date.now() > deadline) throw new Error(`${url} answered ${last}, not ${status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
