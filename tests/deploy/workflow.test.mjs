// .github/workflows/ci.yml: valid against the GitHub workflow schema (@action-validator/core, the
// SchemaStore schema compiled with its validator), and, in the way actionlint checks them, every
// expression's env, steps and needs references resolve and every action is pinned. Then what
// the pipeline must do: make test, the image from the root Dockerfile, and a deploy to the ECS
// service of deploy/ecs only from main, with the official aws-actions.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";

const REPO = new URL("../../", import.meta.url).pathname;
const FILE = `${REPO}.github/workflows/ci.yml`;
const ON_MAIN_PUSH = /github\.ref == 'refs\/heads\/main' && github\.event_name == 'push'/;

describe(".github/workflows/ci.yml", () => {
  const source = readFileSync(FILE, "utf8");
  const workflow = parse(source);
  const jobs = workflow.jobs;
  const steps = (job) => jobs[job].steps;
  const usesOf = (job, action) => steps(job).find((s) => s.uses?.startsWith(`${action}@`));

  it("passes the GitHub workflow schema", () => {
    const { errors } = validateWorkflow(source);
    assert.deepEqual(errors, []);
  });

  it("pins every action to a major version or a commit", () => {
    for (const [name, job] of Object.entries(jobs)) {
      for (const step of job.steps.filter((s) => s.uses)) {
        assert.match(step.uses, /^[\w.-]+\/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${name}: ${step.uses}`);
      }
    }
  });

  it("resolves every env, steps and needs reference in its expressions", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const needs = [job.needs ?? []].flat();
      const seenSteps = new Set();
      const check = (text, stepEnv, where) => {
        for (const [, expr] of String(text).matchAll(/\$\{\{(.*?)\}\}/g)) {
          for (const [, v] of expr.matchAll(/\benv\.(\w+)/g)) {
            assert.ok(v in (workflow.env ?? {}) || v in (job.env ?? {}) || v in (stepEnv ?? {}), `${where}: env.${v}`);
          }
          for (const [, id] of expr.matchAll(/\bsteps\.([\w-]+)\./g)) assert.ok(seenSteps.has(id), `${where}: steps.${id}`);
          for (const [, j, out] of expr.matchAll(/\bneeds\.([\w-]+)\.outputs\.([\w-]+)/g)) {
            assert.ok(needs.includes(j), `${where}: needs.${j} is not in needs`);
            assert.ok(out in (jobs[j].outputs ?? {}), `${where}: job ${j} has no output ${out}`);
          }
        }
      };
      for (const step of job.steps) {
        const where = `${name}/${step.name ?? step.uses}`;
        for (const value of [step.if, step.run, ...Object.values(step.with ?? {}), ...Object.values(step.env ?? {})]) {
          if (value !== undefined) check(value, step.env, where);
        }
        if (step.id) seenSteps.add(step.id);
      }
      // A job's outputs read its steps once they all ran.
      for (const value of Object.values(job.outputs ?? {})) check(value, {}, `${name}/outputs`);
    }
  });

  it("runs make test, then builds the image from the Dockerfile at the repository root", () => {
    assert.ok(steps("test").some((s) => /^make test$/m.test(s.run ?? "")), "a make test step");
    assert.deepEqual([jobs.image.needs].flat(), ["test"]);
    const build = steps("image").find((s) => /docker build/.test(s.run ?? ""));
    assert.ok(build, "a docker build step");
    assert.match(build.run, /--file Dockerfile .*\s\.$/m, "Dockerfile at the root, the repository as context");
  });

  it("deploys to the ECS service of deploy/ecs, only from main, with the official aws-actions", () => {
    const deploy = jobs.deploy;
    assert.match(deploy.if, ON_MAIN_PUSH);
    assert.deepEqual([deploy.needs].flat(), ["image"]);
    assert.equal(deploy.permissions["id-token"], "write", "OIDC: no long-lived AWS keys");
    for (const step of steps("image").filter((s) => /docker push|aws-actions/.test(`${s.run}${s.uses}`))) {
      assert.match(step.if ?? "", ON_MAIN_PUSH, `image/${step.name}: pushes only from main`);
    }
    assert.ok(usesOf("deploy", "aws-actions/configure-aws-credentials").with["role-to-assume"]);
    assert.ok(usesOf("image", "aws-actions/amazon-ecr-login"));
    const render = usesOf("deploy", "aws-actions/amazon-ecs-render-task-definition");
    const rollout = usesOf("deploy", "aws-actions/amazon-ecs-deploy-task-definition");
    assert.equal(rollout.with["wait-for-service-stability"], true);
    assert.equal(rollout.with["task-definition"], `\${{ steps.${render.id}.outputs.task-definition }}`);

    const env = workflow.env;
    const file = `${REPO}${env.TASK_DEFINITION}`;
    assert.ok(existsSync(file), `${env.TASK_DEFINITION} exists`);
    const task = JSON.parse(readFileSync(file, "utf8"));
    const service = JSON.parse(readFileSync(`${REPO}deploy/ecs/service.json`, "utf8"));
    assert.ok(task.containerDefinitions.some((c) => c.name === env.CONTAINER_NAME), "container-name is in the task definition");
    assert.equal(env.ECS_CLUSTER, service.cluster);
    assert.equal(env.ECS_SERVICE, service.serviceName);
    const image = task.containerDefinitions.find((c) => c.name === env.CONTAINER_NAME).image;
    assert.match(image, new RegExp(`\\.amazonaws\\.com/${env.ECR_REPOSITORY}:`), "the ECR repository the workflow pushes to");
    assert.equal(usesOf("deploy", "aws-actions/configure-aws-credentials").with["aws-region"], "${{ env.AWS_REGION }}");
    assert.equal(task.containerDefinitions[0].logConfiguration.options["awslogs-region"], env.AWS_REGION);
  });
});
