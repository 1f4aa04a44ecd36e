#!/usr/bin/env python3
"""Reads the config of a built image (`buildah inspect --type image` JSON) for tests/image/run.sh.

Fails unless the config is what the deployments in deploy/ assume: user 65532:65532, port 8080,
the volume /var/lib/sluice, entrypoint sluice, command serve, PORT and PATH set, and a HEALTHCHECK
running `sluice healthcheck` (a Docker-format image keeps it). Then writes what starting the image
needs into OUT_DIR, one value or word a line: user, workdir, volume, env (VAR=value), argv
(entrypoint + command), healthcheck (its command after CMD), and size (bytes of its layers,
uncompressed as stored).
usage: image_config.py INSPECT_JSON OUT_DIR
"""
import json
import os
import sys


def problems(config):
    found = []

    def expect(name, got, want):
        if got != want:
            found.append(f"{name}: {got!r}, want {want!r}")

    expect("User", config.get("User"), "65532:65532")
    expect("ExposedPorts", sorted(config.get("ExposedPorts") or {}), ["8080/tcp"])
    expect("Volumes", sorted(config.get("Volumes") or {}), ["/var/lib/sluice"])
    expect("Entrypoint", config.get("Entrypoint"), ["sluice"])
    expect("Cmd", config.get("Cmd"), ["serve"])
    expect("Healthcheck.Test", (config.get("Healthcheck") or {}).get("Test"),
           ["CMD", "sluice", "healthcheck"])
    env = dict(e.split("=", 1) for e in config.get("Env") or [])
    expect("Env PORT", env.get("PORT"), "8080")
    if not env.get("PATH"):
        found.append("Env: no PATH to find the entrypoint with")
    return found


def main(path, out_dir):
    inspect = json.load(open(path))
    config = inspect["Docker"]["config"]
    found = problems(config)
    for problem in found:
        print(f"image config: {problem}", file=sys.stderr)
    if found:
        return 1
    manifest = json.loads(inspect["Manifest"])
    values = {
        "user": [config["User"]],
        "workdir": [config.get("WorkingDir") or "/"],
        "volume": list(config["Volumes"]),
        "env": config["Env"],
        "argv": config["Entrypoint"] + config["Cmd"],
        "healthcheck": config["Healthcheck"]["Test"][1:],
        "size": [str(sum(layer["size"] for layer in manifest["layers"]))],
    }
    for name, lines in values.items():
        with open(os.path.join(out_dir, name), "w") as f:
            f.write("".join(f"{line}\n" for line in lines))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
