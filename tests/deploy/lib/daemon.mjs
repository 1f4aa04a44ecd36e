// Starts a Prometheus-family daemon (prometheus, prometheus-alertmanager) on a free loopback port
// from files laid out under `root`, and waits for its /-/ready; stop() ends it and removes root.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";

/** A port free on 127.0.0.1 now (these daemons cannot be told to pick one and say which). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `command ...args(port)`; resolves with { url, output(), stop() } once it is ready. */
export async function startDaemon(command, args, root, { timeoutMs = 60000 } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(command, args(`127.0.0.1:${port}`), { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d) => { output += d; });
  proc.stderr.on("data", (d) => { output += d; });
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const kill = () => proc.kill("SIGKILL");
  process.once("exit", kill);
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const timer = setTimeout(kill, 10000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", kill);
    rmSync(root, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`${command} exited with ${proc.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return { url, output: () => output, stop };
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
