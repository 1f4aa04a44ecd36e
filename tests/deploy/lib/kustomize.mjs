// A kustomize renderer limited to the features deploy/kubernetes uses: resources (files and
// kustomization folders), namespace, images, strategic-merge patches matched by kind and name,
// and configMapGenerator (create / replace) with kustomize's content-hash name suffix. Anything
// else in a kustomization.yaml is an error, so a new feature cannot be silently ignored.
// kubernetes.test.mjs compares its output with `kubectl kustomize` wherever kubectl exists.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const SUPPORTED = new Set(["apiVersion", "kind", "resources", "namespace", "patches", "images",
  "configMapGenerator"]);

// Merge keys of the Kubernetes types' list fields this renderer patches (from the API's
// x-kubernetes-patch-merge-key); other lists are replaced, as strategic merge does.
const MERGE_KEYS = { containers: "name", initContainers: "name", env: "name", volumes: "name",
  volumeMounts: "mountPath", ports: "containerPort" };

// YAML 1.1, as kubectl reads manifests: `defaultMode: 0440` is octal there, decimal in 1.2.
export function readYamlDocuments(path) {
  return parseAllDocuments(readFileSync(path, "utf8"), { version: "1.1" }).map((doc) => {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
    return doc.toJS();
  }).filter((obj) => obj != null);
}

/** Renders the kustomization in `dir`: the list of objects `kustomize build dir` would print. */
export function render(dir) {
  const { objects, generated } = build(dir);
  return suffixConfigMapNames(objects, generated);
}

function build(dir) {
  const [k] = readYamlDocuments(join(dir, "kustomization.yaml"));
  for (const key of Object.keys(k)) {
    if (!SUPPORTED.has(key)) throw new Error(`${dir}: kustomization field ${key} is not supported`);
  }
  let objects = [];
  const generated = new Set();
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const sub = build(path);
      objects.push(...sub.objects);
      sub.generated.forEach((name) => generated.add(name));
    } else {
      objects.push(...readYamlDocuments(path));
    }
  }
  for (const gen of k.configMapGenerator ?? []) {
    const data = Object.fromEntries(gen.files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const behavior = gen.behavior ?? "create";
    const existing = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === gen.name);
    if (behavior === "create") {
      if (existing) throw new Error(`${dir}: ConfigMap ${gen.name} already exists`);
      objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: gen.name }, data });
      generated.add(gen.name);
    } else if (behavior === "replace") {
      if (!existing) throw new Error(`${dir}: no ConfigMap ${gen.name} to replace`);
      existing.data = data;
    } else {
      throw new Error(`${dir}: configMapGenerator behavior ${behavior} is not supported`);
    }
  }
  for (const patch of k.patches ?? []) {
    if (!patch.path || Object.keys(patch).length !== 1) {
      throw new Error(`${dir}: only patches with a path are supported`);
    }
    for (const p of readYamlDocuments(join(dir, patch.path))) {
      const target = objects.find((o) => o.kind === p.kind && o.metadata.name === p.metadata.name);
      if (!target) throw new Error(`${dir}: patch ${patch.path} matches no ${p.kind}/${p.metadata.name}`);
      objects[objects.indexOf(target)] = mergePatch(target, p);
    }
  }
  for (const image of k.images ?? []) objects.forEach((o) => setImage(o, image));
  if (k.namespace) objects.forEach((o) => { o.metadata.namespace = k.namespace; });
  return { objects, generated };
}

function mergePatch(target, patch, field) {
  if (Array.isArray(patch)) {
    const key = MERGE_KEYS[field];
    if (!key || !Array.isArray(target)) return structuredClone(patch);
    // Items the target lacks come first, in the patch's order, as kustomize writes them.
    const merged = target.map((t) => {
      const item = patch.find((p) => p[key] === t[key]);
      return item ? mergePatch(t, item) : structuredClone(t);
    });
    const added = patch.filter((p) => !target.some((t) => t[key] === p[key]));
    return [...structuredClone(added), ...merged];
  }
  if (patch === null || typeof patch !== "object") return patch;
  const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]; else out[k] = mergePatch(out[k], v, k);
  }
  return out;
}

function setImage(obj, { name, newName, newTag }) {
  const spec = obj.spec?.template?.spec;
  if (!spec) return;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const [repo, tag] = splitImage(c.image);
    if (repo !== name) continue;
    c.image = `${newName ?? repo}${newTag ? `:${newTag}` : tag ? `:${tag}` : ""}`;
  }
}

function splitImage(image) {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, ""];
}

// kustomize names a generated ConfigMap name-<hash of its kind, name and data> and rewrites the
// references to it, so that a changed config rolls the Deployment.
function suffixConfigMapNames(objects, generated) {
  const renamed = new Map();
  for (const o of objects) {
    if (o.kind !== "ConfigMap" || !generated.has(o.metadata.name)) continue;
    const hashed = `${o.metadata.name}-${configMapHash(o)}`;
    renamed.set(o.metadata.name, hashed);
    o.metadata.name = hashed;
  }
  for (const o of objects) {
    for (const v of o.spec?.template?.spec?.volumes ?? []) {
      if (v.configMap && renamed.has(v.configMap.name)) v.configMap.name = renamed.get(v.configMap.name);
    }
  }
  return objects;
}

function configMapHash(cm) {
  // Go's json.Marshal of map{"data","kind","name"}: keys sorted, HTML characters escaped. The
  // name is empty: kustomize hashes a generated ConfigMap before it names it.
  const sorted = Object.fromEntries(Object.keys(cm.data).sort().map((k) => [k, cm.data[k]]));
  const json = JSON.stringify({ data: sorted, kind: "ConfigMap", name: "" })
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const hex = createHash("sha256").update(json).digest("hex").slice(0, 10);
  const swap = { 0: "g", 1: "h", 3: "k", a: "m", e: "t" };
  return [...hex].map((c) => swap[c] ?? c).join("");
}
