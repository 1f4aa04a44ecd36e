// deploy/ecs: the Fargate task definition, service, ALB target group and autoscaling policy, each
// a request body for the AWS CLI (`--cli-input-json`). Checked against the operations' input
// shapes and enums from the official AWS SDK, against each other (names, ports, ARNs), and run:
// the container's env and command start the real binary, the container health check command
// answers as Docker would run it, and the target group's health check path is served.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import aas from "@aws-sdk/client-application-auto-scaling";
import ecs from "@aws-sdk/client-ecs";
import elb from "@aws-sdk/client-elastic-load-balancing-v2";
import { startMockUpstream } from "../e2e/lib/processes.mjs";
import { shapeErrors } from "./lib/aws_shape.mjs";
import { effectiveConfig, printedValue, run, seconds, start, waitForStatus } from "./lib/pod.mjs";

const DIR = new URL("../../deploy/ecs/", import.meta.url).pathname;
const read = (file) => JSON.parse(readFileSync(`${DIR}${file}`, "utf8"));
// Fargate's largest stopTimeout (seconds between SIGTERM and SIGKILL).
const FARGATE_MAX_STOP_TIMEOUT = 120;
const CANCEL_WAIT_SECONDS = 1;
const MIN_MARGIN_SECONDS = 3;
const MAX_MARGIN_SECONDS = 15;
// Fargate's task sizes: CPU units -> allowed memory (MiB).
const FARGATE_SIZES = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
const SECRETS_MANAGER_ARN = /^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

function range(from, to, step) {
  const out = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

describe("deploy/ecs", () => {
  const task = read("task-definition.json");
  const service = read("service.json");
  const targetGroup = read("target-group.json");
  const attributes = read("target-group-attributes.json");
  const scalableTarget = read("scalable-target.json");
  const policy = read("scaling-policy.json");
  const [container] = task.containerDefinitions;
  let upstream, dataDir;

  before(async () => {
    upstream = await startMockUpstream();
    dataDir = mkdtempSync(join(tmpdir(), "sluice-ecs-"));
  });
  after(async () => {
    await upstream?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // The container's environment as ECS gives it: `environment`, then each secret's value,
  // with the data volume and the provider placed on this machine; with `port`, the server
  // listens on loopback at that port instead of every interface at $PORT.
  function containerEnv(port) {
    const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    for (const s of container.secrets) env[s.name] = `placeholder-${s.name.toLowerCase()}`;
    const mount = container.mountPoints.find((m) => m.containerPath === env.SLUICE_STORAGE__DATA_DIR);
    assert.ok(mount, "the data dir is on a volume (the root file system is read-only)");
    return { ...env, SLUICE_STORAGE__DATA_DIR: dataDir, OPENAI_BASE_URL: `${upstream.url}/v1`,
      ...(port ? { SLUICE_SERVER__LISTEN: `127.0.0.1:${port}` } : {}) };
  }

  it("matches the AWS SDK's input shapes of each operation", () => {
    assert.deepEqual(shapeErrors(task, ecs.RegisterTaskDefinitionRequest$), []);
    assert.deepEqual(shapeErrors(service, ecs.CreateServiceRequest$), []);
    assert.deepEqual(shapeErrors(targetGroup, elb.CreateTargetGroupInput$), []);
    assert.deepEqual(shapeErrors(attributes, elb.ModifyTargetGroupAttributesInput$), []);
    assert.deepEqual(shapeErrors(scalableTarget, aas.RegisterScalableTargetRequest$), []);
    assert.deepEqual(shapeErrors(policy, aas.PutScalingPolicyRequest$), []);
  });

  it("uses values the SDK's enums define, and a Fargate task size", () => {
    const has = (e, v) => Object.values(e).includes(v);
    assert.ok(has(ecs.NetworkMode, task.networkMode));
    assert.ok(task.requiresCompatibilities.every((c) => has(ecs.Compatibility, c)));
    assert.ok(has(ecs.LogDriver, container.logConfiguration.logDriver));
    assert.ok(has(ecs.LaunchType, service.launchType));
    assert.ok(has(ecs.AssignPublicIp, service.networkConfiguration.awsvpcConfiguration.assignPublicIp));
    assert.ok(has(elb.TargetTypeEnum, targetGroup.TargetType));
    assert.ok(has(elb.ProtocolEnum, targetGroup.Protocol));
    assert.ok(has(aas.PolicyType, policy.PolicyType));
    assert.ok(has(aas.MetricType, policy.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType));
    assert.ok(has(aas.ScalableDimension, scalableTarget.ScalableDimension));
    assert.ok(has(aas.ServiceNamespace, scalableTarget.ServiceNamespace));
    assert.deepEqual(task.requiresCompatibilities, ["FARGATE"]);
    assert.equal(task.networkMode, "awsvpc", "Fargate needs awsvpc");
    assert.ok(FARGATE_SIZES[Number(task.cpu)]?.includes(Number(task.memory)), `cpu ${task.cpu} / memory ${task.memory}`);
  });

  it("takes secrets from Secrets Manager ARNs and logs with awslogs", () => {
    assert.ok(container.secrets.length > 0);
    for (const s of container.secrets) assert.match(s.valueFrom, SECRETS_MANAGER_ARN, s.name);
    const names = [...container.environment, ...container.secrets].map((e) => e.name);
    assert.equal(new Set(names).size, names.length, "no variable both plain and secret");
    assert.ok(task.executionRoleArn, "the execution role reads the secrets and writes the logs");
    assert.equal(container.logConfiguration.logDriver, "awslogs");
    for (const option of ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"]) {
      assert.ok(container.logConfiguration.options[option], option);
    }
  });

  it("runs non-root on a read-only root file system with no capability", () => {
    assert.equal(container.readonlyRootFilesystem, true);
    assert.match(container.user, /^[1-9]\d*(:\d+)?$/, "a non-root numeric user");
    assert.deepEqual(container.linuxParameters.capabilities.drop, ["ALL"]);
    assert.equal(container.privileged ?? false, false);
  });

  it("deploys with a circuit breaker that rolls back, behind the target group", () => {
    assert.deepEqual(service.deploymentConfiguration.deploymentCircuitBreaker, { enable: true, rollback: true });
    assert.equal(service.taskDefinition, task.family);
    const [lb] = service.loadBalancers;
    assert.equal(lb.containerName, container.name);
    assert.equal(lb.containerPort, container.portMappings[0].containerPort);
    assert.equal(lb.targetGroupArn.split("/")[1], targetGroup.Name);
    assert.equal(attributes.TargetGroupArn, lb.targetGroupArn);
    assert.equal(targetGroup.Port, lb.containerPort);
    assert.equal(targetGroup.TargetType, "ip", "awsvpc tasks register by IP");
    assert.equal(targetGroup.Matcher.HttpCode, "200");
    assert.ok(service.healthCheckGracePeriodSeconds > 0);
  });

  it("scales on ALB requests per target, for this service and target group", () => {
    const resourceId = `service/${service.cluster}/${service.serviceName}`;
    assert.equal(scalableTarget.ResourceId, resourceId);
    assert.equal(policy.ResourceId, resourceId);
    assert.equal(policy.ScalableDimension, "ecs:service:DesiredCount");
    assert.equal(policy.PolicyType, "TargetTrackingScaling");
    const spec = policy.TargetTrackingScalingPolicyConfiguration;
    assert.equal(spec.PredefinedMetricSpecification.PredefinedMetricType, "ALBRequestCountPerTarget");
    const label = spec.PredefinedMetricSpecification.ResourceLabel.match(/^app\/[^/]+\/[^/]+\/targetgroup\/([^/]+)\/[^/]+$/);
    assert.ok(label, "ResourceLabel is app/<alb>/<id>/targetgroup/<name>/<id>");
    assert.equal(label[1], targetGroup.Name);
    assert.ok(scalableTarget.MinCapacity <= service.desiredCount && service.desiredCount <= scalableTarget.MaxCapacity);
  });

  it("gives the drain its time before SIGKILL (stopTimeout)", async () => {
    const { text } = await effectiveConfig(["check"], containerEnv());
    const need = seconds(printedValue(text, "shutdown", "drain_delay")) +
      seconds(printedValue(text, "shutdown", "grace")) + CANCEL_WAIT_SECONDS + MIN_MARGIN_SECONDS;
    assert.ok(container.stopTimeout >= need, `stopTimeout ${container.stopTimeout} < ${need}`);
    assert.ok(container.stopTimeout <= need + MAX_MARGIN_SECONDS, `stopTimeout ${container.stopTimeout} far over ${need}`);
    assert.ok(container.stopTimeout <= FARGATE_MAX_STOP_TIMEOUT);
  });

  it("passes sluice check with the container's environment on the container port", async () => {
    const { text } = await effectiveConfig(["check"], containerEnv());
    assert.equal(printedValue(text, "server", "listen"), `0.0.0.0:${container.portMappings[0].containerPort}`);
    const ok = await run(["check"], containerEnv(await freePort()));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /ok: configuration valid \(profile prod,/);
  });

  it("answers the container health check and the target group's health check path", async () => {
    const [form, binary, ...args] = container.healthCheck.command;
    assert.equal(form, "CMD", "exec form: the image has no shell for CMD-SHELL");
    assert.equal(binary, "sluice");
    const port = await freePort();
    const env = containerEnv(port);
    const server = await start(container.command, env);
    try {
      await waitForStatus(`${server.url}${targetGroup.HealthCheckPath}`, 200);
      const health = await run(args, env);
      assert.equal(health.code, 0, `${container.healthCheck.command.join(" ")}: ${health.stderr}`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
    const down = await run(args, env);
    assert.notEqual(down.code, 0, "the health check fails once the server is gone");
  });
});
