// The Dockerfile against what the manifests in deploy/ assume of the image: they pass only
// arguments (so the entrypoint must be sluice), run as 65532:65532, send traffic and probes to
// 8080, keep storage.data_dir in the volume /var/lib/sluice, and ECS runs `sluice healthcheck`
// as Docker's HEALTHCHECK would. tests/image builds and runs the image itself (label image).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";

const REPO = new URL("../../", import.meta.url).pathname;
const yaml = (file) => parseAllDocuments(readFileSync(`${REPO}${file}`, "utf8")).map((d) => d.toJS());
const json = (file) => JSON.parse(readFileSync(`${REPO}${file}`, "utf8"));

/** The Dockerfile's stages: [{ from, instructions: [{ keyword, args }] }] (continuations joined). */
function dockerfileStages(text) {
  const stages = [];
  const logical = text.replace(/\\\n/g, " ").split("\n").map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  for (const line of logical) {
    const [, keyword, args] = line.match(/^(\S+)\s*(.*)$/);
    if (keyword.toUpperCase() === "FROM") stages.push({ from: args, instructions: [] });
    else stages.at(-1).instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

describe("Dockerfile", () => {
  const stages = dockerfileStages(readFileSync(`${REPO}Dockerfile`, "utf8"));
  const runtime = stages.at(-1);
  const one = (keyword) => {
    const found = runtime.instructions.filter((i) => i.keyword === keyword);
    assert.equal(found.length, 1, `one ${keyword} in the runtime stage`);
    return found[0].args;
  };
  const env = Object.fromEntries(runtime.instructions.filter((i) => i.keyword === "ENV")
    .flatMap((i) => i.args.split(/\s+/).map((pair) => pair.split("="))));

  const [deployment] = yaml("deploy/kubernetes/base/deployment.yaml");
  const pod = deployment.spec.template.spec;
  const [cloudRun] = yaml("deploy/cloudrun/service.yaml");
  const cloudRunContainer = cloudRun.spec.template.spec.containers[0];
  const task = json("deploy/ecs/task-definition.json").containerDefinitions[0];

  it("builds on Debian bookworm and runs from scratch: no base image to pull, no shell", () => {
    assert.match(stages[0].from, /^debian:bookworm\b/);
    assert.equal(runtime.from, "scratch");
  });

  it("runs as the user the manifests run as", () => {
    const user = one("USER");
    assert.equal(user, "65532:65532");
    assert.equal(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`, user);
    assert.equal(task.user, user);
  });

  it("starts sluice: the manifests give only its arguments", () => {
    assert.deepEqual(JSON.parse(one("ENTRYPOINT")), ["sluice"]);
    assert.deepEqual(JSON.parse(one("CMD")), ["serve"]);
    for (const c of [...pod.initContainers, ...pod.containers, cloudRunContainer]) {
      assert.equal(c.command, undefined, `${c.name}: no command, the image's entrypoint runs`);
      assert.match(c.args[0], /^(serve|check)$/, `${c.name}: a sluice subcommand`);
    }
    assert.deepEqual(task.command, ["serve"]);
  });

  it("listens on the port the manifests route to, on every interface", () => {
    assert.equal(one("EXPOSE"), "8080");
    assert.equal(env.PORT, "8080", "PORT: serve listens on 0.0.0.0:$PORT");
    assert.equal(pod.containers[0].ports[0].containerPort, 8080);
    assert.equal(cloudRunContainer.ports[0].containerPort, 8080);
    assert.equal(task.portMappings[0].containerPort, 8080);
  });

  it("finds sluice on its PATH, for the entrypoint and the health checks", () => {
    assert.ok(env.PATH.split(":").includes("/usr/local/bin"));
    assert.match(readFileSync(`${REPO}scripts/image-root.sh`, "utf8"), /\$root\/usr\/local\/bin\/sluice/);
  });

  it("has the health check that ECS runs", () => {
    const healthcheck = one("HEALTHCHECK");
    const [, command] = healthcheck.match(/\bCMD\s+(\[.*\])$/);
    assert.deepEqual(["CMD", ...JSON.parse(command)], task.healthCheck.command);
  });

  it("declares the volume each platform mounts, and the data dir they set is in it", () => {
    const volume = one("VOLUME");
    assert.equal(volume, "/var/lib/sluice");
    assert.equal(one("WORKDIR"), volume, "the default data_dir ./data lands in the volume");
    const inVolume = (dir) => dir === volume || dir.startsWith(`${volume}/`);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      assert.ok(c.volumeMounts.some((m) => m.name === "data" && m.mountPath === volume), c.name);
    }
    assert.ok(cloudRunContainer.volumeMounts.some((m) => m.mountPath === volume));
    assert.ok(task.mountPoints.some((m) => m.containerPath === volume));
    for (const file of ["base", "overlays/staging", "overlays/prod"]) {
      const [config] = yaml(`deploy/kubernetes/${file}/sluice.yaml`);
      assert.ok(inVolume(config.storage.data_dir), `${file}: data_dir ${config.storage.data_dir}`);
    }
    const dataDirEnv = (list) => list.find((e) => e.name === "SLUICE_STORAGE__DATA_DIR").value;
    assert.ok(inVolume(dataDirEnv(cloudRunContainer.env)));
    assert.ok(inVolume(dataDirEnv(task.environment)));
  });
});
