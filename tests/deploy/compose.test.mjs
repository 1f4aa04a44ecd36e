// deploy/compose: compose.yaml valid under the Compose specification (dclint's schema), its
// mounts, volumes, ports and dependencies consistent, the services wired to each other
// (Prometheus scrapes the port Sluice listens on, Grafana reads that Prometheus and the mounted
// dashboard), the Prometheus and Alertmanager configs accepted by promtool and amtool, and the
// Sluice and mock-upstream containers run as compose runs them: `sluice check` on the mounted
// config with the compose environment, and each container's healthcheck command against them.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DCLinter } from "dclint";
import { parse } from "yaml";
import { start } from "../e2e/lib/processes.mjs";
import { COMPOSE_FILE, REPO, bindMounts, layOutMounts, loadCompose, namedMounts, publishedPorts }
  from "./lib/compose.mjs";
import { effectiveConfig, printedValue, run, seconds } from "./lib/pod.mjs";

const PROMTOOL = process.env.PROMTOOL ?? "promtool";
const AMTOOL = process.env.AMTOOL ?? "amtool";

function tool(command, args) {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60000 }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code ?? -1 : 0, output: stdout + stderr }));
  });
}

/** The file a service mounts at `target` (a bind mount of a file, or inside a mounted folder). */
function mountedFile(service, target) {
  for (const m of bindMounts(service)) {
    if (m.target === target) return m.source;
    if (target.startsWith(m.target + "/") && statSync(m.source).isDirectory()) {
      return join(m.source, target.slice(m.target.length + 1));
    }
  }
  return null;
}

/** Replaces `--flag VALUE` in `args`. */
function withFlag(args, flag, value) {
  const at = args.indexOf(flag);
  assert.ok(at >= 0, `${flag} in ${args.join(" ")}`);
  return [...args.slice(0, at + 1), value, ...args.slice(at + 2)];
}

describe("deploy/compose", () => {
  const compose = loadCompose();
  const { services } = compose;
  const roots = [];
  after(() => { for (const root of roots) rmSync(root, { recursive: true, force: true }); });

  it("is valid under the Compose specification", () => {
    const [result] = new DCLinter({ rules: {}, quiet: true, debug: false, exclude: [] })
      .lintFiles([COMPOSE_FILE], false);
    const errors = result.messages.filter((m) => m.type === "error");
    assert.deepEqual(errors.map((m) => `${m.rule}: ${m.message}`), []);
  });

  it("runs Sluice, mock-upstream, Prometheus, Alertmanager and Grafana, each image pinned or built", () => {
    assert.deepEqual(Object.keys(services).sort(),
      ["alertmanager", "grafana", "mock-upstream", "prometheus", "sluice"]);
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.image, `${name}: an image`);
      if (service.build) {
        assert.equal(service.pull_policy, "build", `${name}: built, never pulled`);
        continue;
      }
      assert.match(service.image, /:[^:/]+$/, `${name}: an explicit tag`);
      assert.doesNotMatch(service.image, /:latest$/, `${name}: a pinned tag, not latest`);
    }
  });

  it("builds Sluice and mock-upstream from the repository's Dockerfile",
    { skip: !existsSync(join(REPO, "Dockerfile")) && "no Dockerfile at the repository root yet" }, () => {
      for (const name of ["sluice", "mock-upstream"]) {
        const { build, image } = services[name];
        assert.equal(join(REPO, "deploy/compose", build.context), REPO.replace(/\/$/, ""));
        assert.ok(existsSync(join(REPO, build.dockerfile ?? "Dockerfile")), `${name}: its Dockerfile`);
        assert.equal(image, services.sluice.image, "one image for both");
      }
    });

  it("mounts files of the repository and declares every named volume it uses", () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = new Set();
    for (const [name, service] of Object.entries(services)) {
      for (const m of bindMounts(service)) {
        assert.ok(existsSync(m.source), `${name}: mounts ${m.source}, which does not exist`);
        assert.ok(m.readOnly, `${name}: ${m.target} is mounted read-only`);
      }
      for (const v of namedMounts(service)) {
        assert.ok(declared.includes(v.name), `${name}: volume ${v.name} is declared`);
        used.add(v.name);
      }
    }
    assert.deepEqual(declared.sort(), [...used].sort(), "every declared volume is used");
  });

  it("publishes ports on loopback only", () => {
    for (const [name, service] of Object.entries(services)) {
      for (const p of publishedPorts(service)) assert.equal(p.hostIp, "127.0.0.1", `${name}: ${p.hostPort}`);
    }
  });

  it("waits only for services that have a healthcheck, and every service has one", () => {
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.healthcheck?.test, `${name}: a healthcheck`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[dependency], `${name} depends on ${dependency}, which is no service`);
        if (condition === "service_healthy") assert.ok(services[dependency].healthcheck, dependency);
      }
    }
  });

  it("runs every service it can on a read-only root file system, without capabilities", () => {
    for (const [name, service] of Object.entries(services)) {
      assert.deepEqual(service.cap_drop, ["ALL"], name);
      assert.ok(service.security_opt?.includes("no-new-privileges:true"), name);
      if (name !== "grafana") assert.equal(service.read_only, true, name);
    }
  });

  it("has Prometheus load deploy/prometheus/alerts.yaml, scrape job sluice, alert Alertmanager", () => {
    const prometheus = services.prometheus;
    const configFile = mountedFile(prometheus, "/etc/prometheus/prometheus.yml");
    const config = parse(readFileSync(configFile, "utf8"));
    assert.deepEqual(config.rule_files, ["alerts.yaml"]);
    assert.equal(mountedFile(prometheus, "/etc/prometheus/alerts.yaml"),
      join(REPO, "deploy/prometheus/alerts.yaml"));
    const [job] = config.scrape_configs.filter((j) => j.job_name === "sluice");
    const [target] = job.static_configs[0].targets;
    assert.equal(target.split(":")[0], "sluice", "the sluice service");
    assert.deepEqual(publishedPorts(services.sluice).map((p) => p.containerPort), [Number(target.split(":")[1])]);
    const [manager] = config.alerting.alertmanagers[0].static_configs[0].targets;
    assert.equal(manager, `alertmanager:${publishedPorts(services.alertmanager)[0].containerPort}`);
  });

  it("has Grafana read that Prometheus and load the dashboard file", () => {
    const grafana = services.grafana;
    const datasources = parse(readFileSync(mountedFile(grafana,
      "/etc/grafana/provisioning/datasources/prometheus.yaml"), "utf8")).datasources;
    assert.equal(datasources.length, 1);
    assert.equal(datasources[0].url, `http://prometheus:${publishedPorts(services.prometheus)[0].containerPort}`);
    const providers = parse(readFileSync(mountedFile(grafana,
      "/etc/grafana/provisioning/dashboards/sluice.yaml"), "utf8")).providers;
    const dashboardFile = join(providers[0].options.path, "sluice-dashboard.json");
    assert.equal(mountedFile(grafana, dashboardFile), join(REPO, "deploy/grafana/sluice-dashboard.json"));
    assert.equal(grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, dashboardFile);
  });

  it("passes promtool check config with the rules it loads", async () => {
    const root = layOutMounts(services.prometheus);
    roots.push(root);
    const { code, output } = await tool(PROMTOOL, ["check", "config", join(root, "etc/prometheus/prometheus.yml")]);
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it("passes amtool check-config", async () => {
    const root = layOutMounts(services.alertmanager);
    roots.push(root);
    const { code, output } = await tool(AMTOOL, ["check-config", join(root, "etc/alertmanager/alertmanager.yml")]);
    assert.equal(code, 0, output);
  });

  describe("Sluice and mock-upstream as compose runs them", () => {
    let mock, sluice, root, env;
    before(async () => {
      mock = await start(withFlag(services["mock-upstream"].command, "--listen", "127.0.0.1:0"));
      // The compose environment with none of the provider variables set on the host, except
      // that mock-upstream is reached on loopback rather than by its service name.
      const upstream = services.sluice.environment.OPENAI_BASE_URL;
      assert.equal(upstream, "http://mock-upstream:8081/v1");
      root = layOutMounts(services.sluice);
      roots.push(root);
      env = { ...services.sluice.environment, OPENAI_BASE_URL: `${mock.url}/v1`,
        SLUICE_STORAGE__DATA_DIR: join(root, "var/lib/sluice") };
    });
    after(async () => {
      await sluice?.stop();
      await mock?.stop();
    });
    const config = () => join(root, "etc/sluice/sluice.yaml");
    const args = () => withFlag(services.sluice.command, "--config", config());

    it("passes sluice check, listening on the port compose publishes, data on the volume", async () => {
      const { text } = await effectiveConfig(args().map((a) => a === "serve" ? "check" : a), env);
      assert.equal(printedValue(text, "server", "listen"),
        `0.0.0.0:${publishedPorts(services.sluice)[0].containerPort}`);
      const dataDir = parse(readFileSync(config(), "utf8")).storage.data_dir;
      assert.ok(namedMounts(services.sluice).some((v) => v.target === dataDir), `${dataDir} is a volume`);
      const check = await run([...args().map((a) => a === "serve" ? "check" : a), "--listen", "127.0.0.1:0"], env);
      assert.equal(check.code, 0, check.stderr);
    });

    it("gives Sluice time to drain and finish its requests before compose kills it", async () => {
      for (const profile of ["dev", "staging", "prod"]) {
        const { text } = await effectiveConfig(args().map((a) => a === "serve" ? "check" : a),
          { ...env, SLUICE_ENV: profile, SLUICE_AUTH__ADMIN_KEY: "sk-compose-test-0123456789" });
        const need = seconds(printedValue(text, "shutdown", "drain_delay")) +
          seconds(printedValue(text, "shutdown", "grace")) + 1;
        assert.ok(seconds(services.sluice.stop_grace_period) >= need,
          `${profile}: stop_grace_period ${services.sluice.stop_grace_period} < ${need} s`);
      }
    });

    it("answers each container's healthcheck command", async () => {
      sluice = await start([...args(), "--listen", "127.0.0.1:0"], env);
      const ports = { 8080: sluice.port, 8081: mock.port };
      for (const name of ["sluice", "mock-upstream"]) {
        const [kind, command, ...rest] = services[name].healthcheck.test;
        assert.equal(kind, "CMD");
        assert.equal(command, "sluice");
        const local = rest.map((a) => a.replace(/127\.0\.0\.1:(\d+)/, (_, p) => `127.0.0.1:${ports[p]}`));
        const result = await run(local, {});
        assert.equal(result.code, 0, `${name}: ${local.join(" ")}: ${result.stderr}`);
      }
    });
  });
});
