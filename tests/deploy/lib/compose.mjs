// Reads deploy/compose/compose.yaml as Compose does for what the tests here need: YAML merge keys
// resolved, then `${VAR}` and `${VAR:-default}` in string values interpolated from a given
// environment (any other form is an error, so a new one cannot be silently misread), bind mounts
// resolved to files of the repository, and a service's mounts laid out under a temporary root.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

export const REPO = new URL("../../../", import.meta.url).pathname;
export const COMPOSE_DIR = join(REPO, "deploy/compose");
export const COMPOSE_FILE = join(COMPOSE_DIR, "compose.yaml");

/** A string with Compose's interpolation applied from `env` (`$$` is a literal `$`). */
export function interpolate(text, env) {
  return text.replace(/\$(\$|\{([^}]*)\}|[A-Za-z_])/g, (match, what, inner) => {
    if (what === "$") return "$";
    if (inner === undefined) throw new Error(`unbraced variable ${match}: write \${...}`);
    const m = inner.match(/^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s);
    if (!m) throw new Error(`interpolation form not handled here: ${match}`);
    const value = env[m[1]];
    if (m[2] !== undefined) return value ? value : m[2];
    return value ?? "";
  });
}

/** The compose file as Compose sees it with the environment `env` (default: none set). */
export function loadCompose(env = {}) {
  // Values are interpolated after parsing: `KEY: ${VAR:-}` is an empty string, not YAML's null.
  const walk = (node) => {
    if (typeof node === "string") return interpolate(node, env);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === "object") {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    }
    return node;
  };
  return walk(parse(readFileSync(COMPOSE_FILE, "utf8"), { merge: true }));
}

/** The bind mounts of `service`: { source (absolute path), target, readOnly }. */
export function bindMounts(service) {
  return (service.volumes ?? []).map(parseVolume).filter((v) => v.bind);
}

/** The named-volume mounts of `service`: { name, target }. */
export function namedMounts(service) {
  return (service.volumes ?? []).map(parseVolume).filter((v) => !v.bind);
}

function parseVolume(volume) {
  if (typeof volume !== "string") throw new Error(`long volume syntax not handled here: ${JSON.stringify(volume)}`);
  const [source, target, mode] = volume.split(":");
  const bind = source.startsWith(".") || source.startsWith("/");
  return { bind, source: bind ? resolve(COMPOSE_DIR, source) : source, name: source, target,
    readOnly: mode === "ro" };
}

/** Copies `service`'s bind mounts under a new temporary root; returns the root. */
export function layOutMounts(service) {
  const root = mkdtempSync(join(tmpdir(), "sluice-compose-"));
  for (const mount of bindMounts(service)) {
    const destination = join(root, mount.target);
    mkdirSync(dirname(destination), { recursive: true });
    if (statSync(mount.source).isDirectory()) cpSync(mount.source, destination, { recursive: true });
    else copyFileSync(mount.source, destination);
  }
  return root;
}

/** The ports `service` publishes, each written HOST_IP:HOST_PORT:CONTAINER_PORT. */
export function publishedPorts(service) {
  return (service.ports ?? []).map((p) => {
    const parts = String(p).split(":");
    if (parts.length !== 3) throw new Error(`port ${p}: want HOST_IP:HOST_PORT:CONTAINER_PORT`);
    return { hostIp: parts[0], hostPort: Number(parts[1]), containerPort: Number(parts[2]) };
  });
}
