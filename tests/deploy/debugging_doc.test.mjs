// docs/deploy-debugging.md quotes what sluice prints: each quoted line must still be exactly what
// the binary prints in that situation, so the page cannot drift from the program.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { BINARY, start } from "../e2e/lib/processes.mjs";
import { execFile } from "node:child_process";

const DOC = readFileSync(new URL("../../docs/deploy-debugging.md", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "sluice-doc-"));

function sluice(args, env = {}) {
  return new Promise((resolve) => {
    execFile(BINARY, args, { cwd: dir, timeout: 30000,
      env: { PATH: process.env.PATH, SLUICE_STORAGE__DATA_DIR: join(dir, "data"), ...env } },
    (error, stdout, stderr) => resolve({ code: error ? error.code : 0, out: stdout + stderr }));
  });
}

// Every `config error:` / `unhealthy:` / `ok:` line of `out` appears verbatim in the page.
function assertQuoted(out, pattern = /^(config error|unhealthy|ok):/) {
  const lines = out.split("\n").filter((l) => pattern.test(l));
  assert.ok(lines.length > 0, `nothing printed:\n${out}`);
  for (const line of lines) assert.ok(DOC.includes(line), `not quoted in the page:\n${line}`);
}

describe("docs/deploy-debugging.md", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("quotes prod's refusals to start", async () => {
    const r = await sluice(["serve", "--listen", "127.0.0.1:0"], { SLUICE_ENV: "prod" });
    assert.equal(r.code, 1);
    assertQuoted(r.out);
  });

  it("quotes a typo'd key and a wrong value", async () => {
    writeFileSync(join(dir, "bad.yaml"), "server:\n  lisen: 1\nshutdown:\n  grace: banana\n");
    const r = await sluice(["check", "-c", "bad.yaml"]);
    assert.equal(r.code, 1);
    assertQuoted(r.out);
  });

  it("quotes an inline secret in prod", async () => {
    writeFileSync(join(dir, "sluice.yaml"), "auth:\n  admin_key: hunter2hunter2\n");
    const r = await sluice(["check", "-c", "sluice.yaml"], { SLUICE_ENV: "prod", OPENAI_API_KEY: "x" });
    assert.equal(r.code, 1);
    assertQuoted(r.out, /^config error: auth\.admin_key:/);
  });

  it("quotes missing secret files and unset variables", async () => {
    const fromEnv = await sluice(["check"], { SLUICE_ENV: "prod",
      SLUICE_AUTH__ADMIN_KEY_FILE: "/run/secrets/sluice/admin-key", OPENAI_API_KEY: "x" });
    assert.equal(fromEnv.code, 1);
    assertQuoted(fromEnv.out, /^config error: auth\.admin_key_file:/);
    writeFileSync(join(dir, "prod.yaml"), "auth:\n  admin_key_file: /nonexistent/admin_key\n" +
      "gateway:\n  providers:\n    - { name: openai, type: openai, base_url: \"http://127.0.0.1:1/v1\", api_key_file: /nonexistent/openai }\n");
    const fromFile = await sluice(["check", "-c", "prod.yaml"], { SLUICE_ENV: "prod" });
    assertQuoted(fromFile.out, /^config error: gateway\.providers\.0\.api_key_file:/);
    writeFileSync(join(dir, "v.yaml"), "auth:\n  admin_key: ${ADMIN_KEY}\ngateway:\n  providers:\n" +
      "    - {name: openai, type: openai, base_url: \"http://127.0.0.1:1/v1\", api_key: \"${OPENAI_API_KEY}\"}\n");
    const unset = await sluice(["check", "-c", "v.yaml"], { SLUICE_ENV: "prod" });
    assert.equal(unset.code, 1);
    assertQuoted(unset.out);
  });

  it("quotes an unreachable provider, a wrong probe path and a failed healthcheck", async () => {
    writeFileSync(join(dir, "up.yaml"), "gateway:\n  providers:\n    - {name: openai, type: openai, base_url: \"http://127.0.0.1:1/v1\"}\n");
    const check = await sluice(["check", "-c", "up.yaml", "--listen", "127.0.0.1:0"]);
    assert.equal(check.code, 1);
    assertQuoted(check.out);
    const health = await sluice(["healthcheck", "--listen", "127.0.0.1:1"]);
    assert.equal(health.code, 1);
    assertQuoted(health.out);
    const server = await start(["serve", "--listen", "127.0.0.1:0"], { SLUICE_STORAGE__DATA_DIR: join(dir, "served") });
    try {
      const body = await (await fetch(`${server.url}/healthz`)).text();
      assert.ok(DOC.includes(body), `not quoted: ${body}`);
    } finally {
      await server.stop();
    }
  });

  it("quotes the dev profile's loopback address", async () => {
    const printed = await sluice(["check", "--print"]);
    assert.match(printed.out, /^  listen: 127\.0\.0\.1:8080$/m);
    assert.ok(DOC.includes("ok: configuration valid (profile dev, listen 127.0.0.1:8080)"));
    const port = await sluice(["check", "--print"], { PORT: "8080" });
    assert.match(port.out, /^  listen: 0\.0\.0\.0:8080$/m);
    assert.ok(DOC.includes("ok: configuration valid (profile dev, listen 0.0.0.0:8080)"));
  });

  it("states check's exit codes as the binary uses them", async () => {
    assert.equal((await sluice(["check", "--bogus"])).code, 2);
    assert.match(DOC, /\| 2 \| wrong usage/);
    assert.match(DOC, /\| 1 \| one or more `config error:` lines/);
    const ok = await sluice(["check", "--listen", "127.0.0.1:0"]);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^ok: configuration valid \(profile dev, listen 127\.0\.0\.1:0\)$/m);
  });
});
