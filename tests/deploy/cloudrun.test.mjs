// deploy/cloudrun/service.yaml: a Knative Service as Cloud Run reads it. Checked against the
// Knative serving schema (@kubernetes-models/knative) and the Kubernetes field names of its pod
// spec, then run as Cloud Run would: PORT set to the container port, secrets injected, the
// config judged by `sluice check` and the startup probe's path served.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Service } from "@kubernetes-models/knative/serving.knative.dev/v1/Service";
import { startMockUpstream } from "../e2e/lib/processes.mjs";
import { unknownFieldsOf } from "./lib/k8s_schema.mjs";
import { readYamlDocuments } from "./lib/kustomize.mjs";
import { containerEnv, effectiveConfig, materialize, printedValue, run, seconds, start,
  waitForStatus } from "./lib/pod.mjs";

const FILE = new URL("../../deploy/cloudrun/service.yaml", import.meta.url).pathname;
// Cloud Run sends SIGTERM, then SIGKILL 10 s later.
const CLOUD_RUN_STOP_SECONDS = 10;
// Fields of a Knative revision spec beside the Kubernetes pod spec's.
const REVISION_FIELDS = ["containerConcurrency", "timeoutSeconds", "responseStartTimeoutSeconds",
  "idleTimeoutSeconds"];

describe("deploy/cloudrun", () => {
  let service, spec, container, upstream, pod;
  before(async () => {
    [service] = readYamlDocuments(FILE);
    spec = service.spec.template.spec;
    [container] = spec.containers;
    upstream = await startMockUpstream();
  });
  after(async () => {
    await upstream?.stop();
    if (pod) rmSync(pod.root, { recursive: true, force: true });
  });

  // The instance as Cloud Run starts it: PORT from the container port, secrets in place.
  function instance() {
    pod ??= materialize(spec, container, []);
    const env = Object.fromEntries(Object.entries(containerEnv(container)).map(([k, v]) => [k, pod.remap(v)]));
    return { ...env, PORT: String(container.ports[0].containerPort), OPENAI_BASE_URL: `${upstream.url}/v1` };
  }

  it("passes the Knative serving schema, with no unknown pod spec field", () => {
    new Service(service).validate();
    const podSpec = Object.fromEntries(Object.entries(spec).filter(([k]) => !REVISION_FIELDS.includes(k)));
    assert.deepEqual(unknownFieldsOf(podSpec, "V1PodSpec", "spec.template.spec"), []);
  });

  it("leaves PORT to Cloud Run and listens on it on every interface", async () => {
    assert.equal(spec.containers.length, 1);
    assert.equal(container.ports.length, 1, "Cloud Run routes to exactly one port");
    assert.ok(!container.env.some((e) => e.name === "PORT"), "PORT is reserved: Cloud Run refuses it");
    const { text } = await effectiveConfig(container.args.map((a) => a === "serve" ? "check" : a), instance());
    assert.equal(printedValue(text, "server", "listen"), `0.0.0.0:${container.ports[0].containerPort}`);
  });

  it("sets a request concurrency and a startup probe", () => {
    assert.ok(Number.isInteger(spec.containerConcurrency) && spec.containerConcurrency > 0 &&
      spec.containerConcurrency <= 1000, "containerConcurrency within Cloud Run's 1..1000");
    assert.ok(spec.timeoutSeconds > 0 && spec.timeoutSeconds <= 3600);
    assert.ok(container.startupProbe?.httpGet?.path, "an HTTP startup probe, not the default TCP one");
    assert.equal(container.startupProbe.httpGet.port, container.ports[0].containerPort);
  });

  it("takes secrets from Secret Manager, by environment variable and by file", () => {
    const refs = container.env.filter((e) => e.valueFrom);
    assert.ok(refs.length > 0);
    for (const e of refs) {
      assert.ok(e.valueFrom.secretKeyRef.name && e.valueFrom.secretKeyRef.key, `${e.name}: secret name and version`);
    }
    for (const e of container.env.filter((e) => e.name.endsWith("_FILE"))) {
      const mount = container.volumeMounts.find((m) => e.value.startsWith(`${m.mountPath}/`));
      assert.ok(mount, `${e.name}: ${e.value} is on no mount`);
      const volume = spec.volumes.find((v) => v.name === mount.name);
      assert.ok(volume.secret.items.some((i) => `${mount.mountPath}/${i.path}` === e.value), `${e.name} names a projected version`);
    }
  });

  it("passes sluice check as the instance would run it, and fails without the secret file", async () => {
    const env = instance();
    const args = ["check", "--listen", "127.0.0.1:0"];
    const ok = await run(args, env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /ok: configuration valid \(profile prod,/);
    const broken = await run(args, { ...env, SLUICE_AUTH__ADMIN_KEY_FILE: `${env.SLUICE_AUTH__ADMIN_KEY_FILE}.missing` });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /auth\.admin_key_file: cannot read secret file/);
  });

  it("finishes its drain before Cloud Run's SIGKILL", async () => {
    const { text } = await effectiveConfig(["check"], instance());
    const need = seconds(printedValue(text, "shutdown", "drain_delay")) +
      seconds(printedValue(text, "shutdown", "grace")) + 1;
    assert.ok(need <= CLOUD_RUN_STOP_SECONDS, `drain_delay + grace + 1 s = ${need} s > ${CLOUD_RUN_STOP_SECONDS} s`);
  });

  it("serves the probes' paths", async () => {
    const server = await start([...container.args, "--listen", "127.0.0.1:0"], instance());
    try {
      for (const probe of ["startupProbe", "livenessProbe"]) {
        await waitForStatus(`${server.url}${container[probe].httpGet.path}`, 200);
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
