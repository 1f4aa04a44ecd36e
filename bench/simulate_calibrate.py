#!/usr/bin/env python3
"""The pieces of bench/simulate_calibrate.sh that read YAML and JSON.

  plan SCENARIO                 shell assignments: replicas, balancer, base rate, duration,
                                the gateway providers
  config SCENARIO OUT NAME=PORT...
                                the scenario's gateway and admission sections as a sluice.yaml,
                                each provider's base_url on the mock-upstream playing it
  table LOAD RATE SIM.json LIVE.json REQUESTS.csv
                                simulated beside measured, one row per figure
"""
import csv
import json
import math
import os
import re
import sys

import yaml

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(node):
    """${VAR} and ${VAR:-default} in scalars, from the environment, as the scenario loader does."""
    if isinstance(node, dict):
        return {k: interpolate(v) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v) for v in node]
    if isinstance(node, str) and VAR.search(node):
        text = VAR.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), node)
        return yaml.safe_load(text) if text else text
    return node


def load(path):
    with open(path) as f:
        return interpolate(yaml.safe_load(f))


def seconds(value):
    """A scenario duration ("60s", "2m", "1.5h", 90) in seconds."""
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h|d)?", str(value).strip())
    if not match:
        raise SystemExit(f"not a duration: {value}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
    return float(match.group(1)) * scale[match.group(2)]


def plan(path):
    # The base rate is the file's, with RATE unset: the loads are multiples of it.
    os.environ.pop("RATE", None)
    scenario = load(path)
    traffic = scenario.get("traffic", {})
    if "rate" not in traffic or "replay" in traffic:
        raise SystemExit(f"{path}: traffic.rate must be given (as ${{RATE:-N}}) to scale the load")
    with open(path) as f:
        if "${RATE" not in f.read():
            raise SystemExit(f"{path}: traffic.rate must read ${{RATE:-N}} so that the load can scale")
    if scenario.get("platform"):
        raise SystemExit(f"{path}: platform sections are not run live; use replicas")
    replicas = scenario.get("replicas", {})
    balancer = replicas.get("load_balancer", "round_robin")
    names = [p["name"] for p in scenario["gateway"]["providers"]]
    print(f"REPLICAS={int(replicas.get('count', 1))}")
    print(f"HAPROXY_BALANCE={'leastconn' if balancer == 'least_connections' else 'roundrobin'}")
    print(f"BASE_RATE={float(traffic['rate'])}")
    print(f"SCENARIO_DURATION={seconds(scenario.get('duration', '1h')):g}s")
    print(f"PROVIDERS=({' '.join(names)})")


def config(path, out, ports):
    scenario = load(path)
    port_of = dict(p.split("=", 1) for p in ports)
    gateway = scenario["gateway"]
    for provider in gateway["providers"]:
        # Whatever its type, the scenario's provider is played by an OpenAI-compatible mock (the
        # simulator's providers speak no wire format).
        provider["type"] = "openai"
        provider["base_url"] = f"http://127.0.0.1:{port_of[provider['name']]}/v1"
        provider.setdefault("api_key", "calibration")
    config = {
        "server": {"threads": 1},
        "log": {"format": "json", "level": "warn"},
        "gateway": gateway,
    }
    if scenario.get("admission"):
        config["admission"] = scenario["admission"]
    with open(out, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)


def nearest_rank(sorted_values, q):
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(q * len(sorted_values))))
    return sorted_values[rank - 1]


def quantile_band(sorted_values, q):
    """Where a q-quantile of this many samples falls by chance: the order statistics 1.96 standard
    deviations either side of its rank, widened by sqrt(2) since both runs are samples."""
    n = len(sorted_values)
    if n == 0:
        return (0.0, 0.0)
    half = 1.96 * math.sqrt(2 * n * q * (1 - q))
    lo = max(1, math.floor(n * q - half))
    hi = min(n, math.ceil(n * q + half))
    return (sorted_values[lo - 1], sorted_values[hi - 1])


def table(load, rate, sim_path, live_path, requests_path):
    with open(sim_path) as f:
        sim = json.load(f)["totals"]
    with open(live_path) as f:
        live = json.load(f)
    latencies, ttfts = [], []
    with open(requests_path) as f:
        for row in csv.DictReader(f):
            if row["finished"] != "1" or row["cause"] != "none":
                continue
            latencies.append(float(row["latency_s"]))
            if row["stream"] == "1" and row["ttft_s"]:
                ttfts.append(float(row["ttft_s"]))
    latencies.sort()
    ttfts.sort()
    finished = max(1, live["finished"])

    def share(report, cause):
        total = report["finished"]
        return report["errors"].get(cause, 0) / total if total else 0.0

    rows = []

    def row(name, simulated, measured, band=None, unit="", digits=1):
        if simulated == 0 and measured == 0:
            diff, verdict = 0.0, "ok"
        else:
            diff = (measured - simulated) / simulated * 100 if simulated else math.inf
            verdict = "ok" if abs(diff) <= 10 else "MISS"
            # Beyond 10% but within what chance gives samples this size: noise, not a miss.
            if verdict == "MISS" and band and band[0] <= simulated <= band[1]:
                verdict = "noise"
        rows.append((name, simulated, measured, diff, verdict, unit, digits))

    def proportion_band(p_live):
        sigma = math.sqrt(max(p_live * (1 - p_live), 1 / finished) * 2 / finished)
        return (p_live - 1.96 * sigma, p_live + 1.96 * sigma)

    def count_band(c_live):
        sigma = math.sqrt(2 * max(c_live, 1))
        return (c_live - 1.96 * sigma, c_live + 1.96 * sigma)

    ms = 1000
    row("requests", sim["requests"], live["requests"], digits=0)
    row("completed", sim["completed"], live["completed"], count_band(live["completed"]), digits=0)
    row("latency p50", sim["latency_s"]["p50"] * ms, live["latency_s"]["p50"] * ms,
        tuple(v * ms for v in quantile_band(latencies, 0.5)), "ms")
    row("latency p99", sim["latency_s"]["p99"] * ms, live["latency_s"]["p99"] * ms,
        tuple(v * ms for v in quantile_band(latencies, 0.99)), "ms")
    row("TTFT p50", sim["ttft_s"]["p50"] * ms, live["ttft_s"]["p50"] * ms,
        tuple(v * ms for v in quantile_band(ttfts, 0.5)), "ms")
    row("TTFT p99", sim["ttft_s"]["p99"] * ms, live["ttft_s"]["p99"] * ms,
        tuple(v * ms for v in quantile_band(ttfts, 0.99)), "ms")
    row("throughput", sim["throughput_rps"], live["throughput_rps"],
        tuple(c / live["duration_s"] for c in count_band(live["completed"])), "/s", 2)
    for name, p_sim, p_live in [
        ("error rate", sim["error_rate"], live["error_rate"]),
        ("shed rate", sim["shed_rate"], live["shed_rate"]),
        ("429 rate", share(sim, "rate_limited"), live["rate_limited_rate"]),
    ]:
        row(name, p_sim * 100, p_live * 100, tuple(v * 100 for v in proportion_band(p_live)), "%",
            2)
    for name in ("retries", "fallbacks", "breaker_openings"):
        row(name.replace("_", " "), sim[name], live[name], count_band(live[name]), digits=0)
    row("cost", sim["cost_usd"]["total"], live["cost_usd"], unit="$", digits=4)

    gen = live["generator"]
    print(f"\n== load {load}x: {rate:g} requests/s, {live['duration_s']:g} s "
          f"(generator lag p50 {gen['lag_s']['p50'] * 1e3:.2f} ms, p99 "
          f"{gen['lag_s']['p99'] * 1e3:.2f} ms, max {gen['lag_s']['max'] * 1e3:.1f} ms; "
          f"CPU {gen['cpu_share'] * 100:.1f}% of a core; unfinished {live['unfinished']})")
    print(f"{'figure':<18} {'simulated':>12} {'measured':>12} {'diff':>8}  verdict")
    for name, simulated, measured, diff, verdict, unit, digits in rows:
        fmt = f"{{:>12.{digits}f}}"
        d = "   n/a" if math.isinf(diff) else f"{diff:+7.1f}%"
        print(f"{name + (' (' + unit + ')' if unit else ''):<18} {fmt.format(simulated)} "
              f"{fmt.format(measured)} {d:>8}  {verdict}")
    print("attempts by deployment and outcome (simulated / measured):")
    with open(sim_path) as f:
        sim_deployments = {d["deployment"]: d for d in json.load(f)["deployments"]}
    live_deployments = {d["deployment"]: d for d in live.get("deployments", [])}
    for name in sorted(set(sim_deployments) | set(live_deployments)):
        s_out = sim_deployments.get(name, {}).get("outcomes", {})
        l_out = live_deployments.get(name, {}).get("outcomes", {})
        cells = [f"{o} {s_out.get(o, 0):g} / {l_out.get(o, 0):g}"
                 for o in sorted(set(s_out) | set(l_out))]
        print(f"  {name}: " + ", ".join(cells))
    live_errors = {k: v for k, v in live["errors"].items() if v}
    sim_errors = {k: v for k, v in sim["errors"].items() if v}
    print(f"errors by cause: simulated {sim_errors or '{}'}; measured {live_errors or '{}'}")
    if not live.get("metrics_read"):
        print("note: the gateways' /metrics could not be read: retries, fallbacks, openings and "
              "cost are not measured")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    command = argv[1]
    if command == "plan" and len(argv) == 3:
        plan(argv[2])
    elif command == "config" and len(argv) >= 4:
        config(argv[2], argv[3], argv[4:])
    elif command == "table" and len(argv) == 7:
        table(argv[2], float(argv[3]), argv[4], argv[5], argv[6])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
