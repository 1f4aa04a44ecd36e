// deploy/kubernetes: every overlay renders (as kubectl kustomize would), passes the Kubernetes
// schemas, and runs: its init container's `sluice check` passes with the pod's own config, secret
// files and data dir; the probes answer on the paths and port the manifests name; the drain
// budget (terminationGracePeriodSeconds) covers what the profile's shutdown settings need.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { startMockUpstream } from "../e2e/lib/processes.mjs";
import { unknownFields, validateSchema } from "./lib/k8s_schema.mjs";
import { render } from "./lib/kustomize.mjs";
import { containerEnv, effectiveConfig, materialize, printedValue, run, seconds, start,
  waitForStatus } from "./lib/pod.mjs";

const ROOT = new URL("../../deploy/kubernetes/", import.meta.url).pathname;
const OVERLAYS = ["dev", "staging", "prod"];
// After shutdown.grace sluice waits up to 1 s for cancelled requests before it exits.
const CANCEL_WAIT_SECONDS = 1;
// Beyond that, time for the kubelet to deliver SIGTERM and for the process to exit.
const MIN_MARGIN_SECONDS = 3;
// A budget far above the need only delays rollouts when a pod hangs: it means a stale value.
const MAX_MARGIN_SECONDS = 15;

function hasKubectl() {
  try { execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" }); return true; } catch { return false; }
}

const find = (objects, kind) => objects.find((o) => o.kind === kind);
const podSpecOf = (objects) => find(objects, "Deployment").spec.template.spec;
const mainContainer = (objects) => podSpecOf(objects).containers.find((c) => c.name === "sluice");

// The pod's config as sluice sees it, from the container's args, env and mounts; provider URLs
// point at the local mock so that the check's reachability probe runs offline.
async function podConfig(objects, container, upstream) {
  const podSpec = podSpecOf(objects);
  const configMaps = objects.filter((o) => o.kind === "ConfigMap");
  const pod = materialize(podSpec, container, configMaps);
  const args = container.args.map(pod.remap);
  const env = { ...containerEnv(container), SLUICE_GATEWAY__PROVIDERS__0__BASE_URL: `${upstream.url}/v1` };
  if (!configMaps.some((cm) => Object.values(cm.data).some((t) => t.includes("providers:")))) {
    delete env.SLUICE_GATEWAY__PROVIDERS__0__BASE_URL;  // dev: the built-in mock
  }
  return { pod, args, env };
}

describe("deploy/kubernetes", () => {
  let upstream;
  const rendered = {};
  const roots = [];
  before(async () => {
    upstream = await startMockUpstream();
    for (const overlay of OVERLAYS) rendered[overlay] = render(`${ROOT}overlays/${overlay}`);
  });
  after(async () => {
    await upstream?.stop();
    roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
  });

  it("renders each overlay exactly as kubectl kustomize does", { skip: !hasKubectl() && "no kubectl here" }, () => {
    for (const overlay of OVERLAYS) {
      const out = execFileSync("kubectl", ["kustomize", `${ROOT}overlays/${overlay}`], { encoding: "utf8" });
      const theirs = parseAllDocuments(out, { version: "1.1" }).map((d) => d.toJS());
      const key = (o) => `${o.kind}/${o.metadata.name}`;
      assert.deepEqual(rendered[overlay].map(key).sort(), theirs.map(key).sort(), overlay);
      for (const o of theirs) assert.deepEqual(rendered[overlay].find((m) => key(m) === key(o)), o, `${overlay} ${key(o)}`);
    }
  });

  it("passes the Kubernetes OpenAPI schemas, with no unknown field", async () => {
    for (const overlay of OVERLAYS) {
      const kinds = rendered[overlay].map((o) => o.kind).sort();
      assert.deepEqual(kinds, ["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "NetworkPolicy",
        "PodDisruptionBudget", "Service"], overlay);
      for (const obj of rendered[overlay]) {
        await validateSchema(obj);
        assert.deepEqual(unknownFields(obj), [], `${overlay} ${obj.kind}`);
      }
    }
  });

  it("runs every container non-root, read-only, unprivileged, with no capability", () => {
    for (const overlay of OVERLAYS) {
      const spec = podSpecOf(rendered[overlay]);
      assert.equal(spec.securityContext.runAsNonRoot, true, overlay);
      assert.ok(spec.securityContext.runAsUser > 0, overlay);
      assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault", overlay);
      for (const c of [...spec.initContainers, ...spec.containers]) {
        const what = `${overlay} ${c.name}`;
        assert.equal(c.securityContext.runAsNonRoot, true, what);
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, what);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, what);
        assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], what);
        assert.equal(c.securityContext.capabilities.add, undefined, what);
        assert.equal(c.securityContext.privileged ?? false, false, what);
        assert.ok(c.resources.requests.memory && c.resources.limits.memory, `${what}: memory request and limit`);
        assert.ok(!c.image.startsWith("sluice"), `${what}: the overlay sets the image (${c.image})`);
      }
    }
  });

  for (const overlay of OVERLAYS) {
    it(`${overlay}: terminationGracePeriodSeconds covers shutdown.drain_delay + shutdown.grace`, async () => {
      const objects = rendered[overlay];
      const container = mainContainer(objects);
      const { pod, args, env } = await podConfig(objects, container, upstream);
      roots.push(pod.root);
      const { text } = await effectiveConfig(["check", ...args.slice(1)], env);
      const drain = seconds(printedValue(text, "shutdown", "drain_delay"));
      const grace = seconds(printedValue(text, "shutdown", "grace"));
      const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
      assert.equal(container.lifecycle?.preStop?.exec, undefined, "no exec preStop: the image has no shell or sleep");
      const need = preStop + drain + grace + CANCEL_WAIT_SECONDS + MIN_MARGIN_SECONDS;
      const budget = podSpecOf(objects).terminationGracePeriodSeconds;
      assert.ok(budget >= need, `${overlay}: terminationGracePeriodSeconds ${budget} < ${need} ` +
        `(preStop ${preStop} + drain_delay ${drain} + grace ${grace} + ${CANCEL_WAIT_SECONDS} + ${MIN_MARGIN_SECONDS})`);
      assert.ok(budget <= need + MAX_MARGIN_SECONDS, `${overlay}: terminationGracePeriodSeconds ${budget} ` +
        `is over ${need + MAX_MARGIN_SECONDS}: shutdown settings changed without it?`);
    });

    it(`${overlay}: listens on every interface at the container port the Service targets`, async () => {
      const objects = rendered[overlay];
      const container = mainContainer(objects);
      const { pod, args, env } = await podConfig(objects, container, upstream);
      roots.push(pod.root);
      const { text } = await effectiveConfig(["check", ...args.slice(1)], env);
      const listen = printedValue(text, "server", "listen");
      const [, host, port] = listen.match(/^\[?(.*?)\]?:(\d+)$/);
      assert.ok(["0.0.0.0", "::", ""].includes(host), `${overlay}: listens on ${listen}: probes from the node cannot reach it`);
      const http = container.ports.find((p) => p.name === "http");
      assert.equal(http.containerPort, Number(port), `${overlay}: containerPort vs server.listen ${listen}`);
      const service = find(objects, "Service");
      assert.ok(service.spec.ports.every((p) => p.targetPort === "http"), "Service targets the named port");
      for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
        assert.equal(container[probe].httpGet.port, "http", `${probe} port`);
      }
      const policy = find(objects, "NetworkPolicy");
      assert.ok(policy.spec.ingress.some((rule) => rule.ports.some((p) => p.port === "http")), "NetworkPolicy admits the port");
    });

    it(`${overlay}: the init container's sluice check passes with the pod's config, secrets and data dir`, async () => {
      const objects = rendered[overlay];
      const init = podSpecOf(objects).initContainers.find((c) => c.name === "check");
      assert.deepEqual(init.args.slice(0, 1), ["check"]);
      assert.equal(init.image, mainContainer(objects).image, "the init container runs the same image");
      assert.deepEqual(containerEnv(init), containerEnv(mainContainer(objects)), "the same env as the server");
      const { pod, args, env } = await podConfig(objects, init, upstream);
      roots.push(pod.root);
      // The listen port may be taken on this machine: the check probes a free one instead.
      const ok = await run([...args, "--listen", "127.0.0.1:0"], env);
      assert.equal(ok.code, 0, `${overlay}: sluice check failed:\n${ok.stderr}`);
      assert.match(ok.stderr, new RegExp(`ok: configuration valid \\(profile ${overlay},`));
      // Each secret file the config names must be one the Secret volume projects.
      const secrets = podSpecOf(objects).volumes.find((v) => v.secret);
      for (const item of secrets?.secret.items ?? []) {
        const mount = init.volumeMounts.find((m) => m.name === secrets.name);
        rmSync(`${pod.root}${mount.mountPath}/${item.path}`);
        const broken = await run([...args, "--listen", "127.0.0.1:0"], env);
        assert.equal(broken.code, 1, `${overlay}: check passed without secret ${item.key}`);
        assert.match(broken.stderr, /_file: cannot read secret file/);
      }
    });

    it(`${overlay}: serves the probes' paths and the HPA's metric`, async () => {
      const objects = rendered[overlay];
      const container = mainContainer(objects);
      const { pod, args, env } = await podConfig(objects, container, upstream);
      roots.push(pod.root);
      const server = await start([...args, "--listen", "127.0.0.1:0"], env);
      try {
        for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
          await waitForStatus(`${server.url}${container[probe].httpGet.path}`, 200);
        }
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        for (const m of find(objects, "HorizontalPodAutoscaler").spec.metrics.filter((m) => m.type === "Pods")) {
          assert.match(metrics, new RegExp(`^${m.pods.metric.name}[ {]`, "m"), `${m.pods.metric.name} in /metrics`);
        }
      } finally {
        assert.equal(await server.stop(), 0, "exits 0 on SIGTERM");
      }
    });
  }

  it("HPA, PDB, Service and NetworkPolicy select the Deployment's pods", () => {
    for (const overlay of OVERLAYS) {
      const objects = rendered[overlay];
      const deployment = find(objects, "Deployment");
      const labels = deployment.spec.template.metadata.labels;
      const matches = (selector) => Object.entries(selector).every(([k, v]) => labels[k] === v);
      assert.ok(matches(find(objects, "Service").spec.selector));
      assert.ok(matches(find(objects, "PodDisruptionBudget").spec.selector.matchLabels));
      assert.ok(matches(find(objects, "NetworkPolicy").spec.podSelector.matchLabels));
      const hpa = find(objects, "HorizontalPodAutoscaler");
      assert.equal(hpa.spec.scaleTargetRef.name, deployment.metadata.name);
      assert.ok(hpa.spec.metrics.some((m) => m.type === "Resource" && m.resource.name === "cpu"));
      assert.ok(hpa.spec.minReplicas <= deployment.spec.replicas && deployment.spec.replicas <= hpa.spec.maxReplicas);
    }
  });

  it("documents the Prometheus adapter rule for the HPA's custom metric", () => {
    const readme = readFileSync(`${ROOT}README.md`, "utf8");
    for (const overlay of OVERLAYS) {
      for (const m of find(rendered[overlay], "HorizontalPodAutoscaler").spec.metrics.filter((m) => m.type === "Pods")) {
        assert.match(readme, new RegExp(`seriesQuery: '${m.pods.metric.name}\\{`), "adapter rule in the README");
      }
    }
  });
});
