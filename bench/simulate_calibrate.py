#!/usr/bin/env python3
"""The pieces of bench/simulate_calibrate.sh that read YAML and JSON.

  plan SCENARIO                 shell assignments: replicas, balancer, base traffic, duration,
                                the gateway providers, the admin key the load calls with
  keys SCENARIO                 the scenario's keys: name, tab, body of POST /v1/admin/keys
  config SCENARIO OUT NAME=PORT...
                                the scenario's gateway and admission sections as a sluice.yaml,
                                each provider's base_url on the mock-upstream playing it
  table LOAD TRAFFIC SIM.json LIVE.json [SEED.json...]
                                simulated beside measured, one row per figure, with the
                                simulation's range over other seeds
"""
import datetime
import json
import math
import os
import re
import sys

import yaml

# The live gateways' admin key when the scenario's requests carry priorities.
ADMIN_KEY = "calibration-admin-key-0123456789"
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
    scenario = load(path)
    traffic = scenario.get("traffic", {})
    if "replay" in traffic:
        raise SystemExit(f"{path}: a replayed log is not run live (its answers are the log's)")
    if scenario.get("platform"):
        raise SystemExit(f"{path}: platform sections are not run live; use replicas")
    if scenario.get("regions"):
        raise SystemExit(f"{path}: regions are not run live")
    live_keys(scenario, path)
    replicas = scenario.get("replicas", {})
    balancer = replicas.get("load_balancer", "round_robin")
    names = [p["name"] for p in scenario["gateway"]["providers"]]
    if "rate" in traffic:
        base = f"{float(traffic['rate']):g}/s"
    else:
        base = "phases " + "/".join(f"{float(p['rate']):g}" for p in traffic["phases"]) + "/s"
    print(f"REPLICAS={int(replicas.get('count', 1))}")
    print(f"HAPROXY_BALANCE={'leastconn' if balancer == 'least_connections' else 'roundrobin'}")
    print(f"BASE_TRAFFIC='{base}'")
    print(f"SCENARIO_DURATION={seconds(scenario.get('duration', '1h')):g}s")
    print(f"PROVIDERS=({' '.join(names)})")
    print(f"SCENARIO_SEED={int(scenario.get('seed', 1))}")
    print(f"ADMIN_KEY={ADMIN_KEY if needs_admin_key(scenario) else ''}")


def needs_admin_key(scenario):
    """x-sluice-priority is honoured for admin keys only, and the admin API creates the keys."""
    prioritized = any(m.get("priority", "normal") != "normal"
                      for m in scenario["traffic"].get("mix", []))
    return prioritized or bool(scenario.get("keys"))


def live_keys(scenario, path):
    """The scenario's `keys` as bodies of POST /v1/admin/keys (its fields are the admin API's),
    created on the live gateway once it runs; exits when the live spend would not be shared."""
    keys = scenario.get("keys", [])
    if not keys:
        return []
    if int(scenario.get("replicas", {}).get("count", 1)) != 1:
        raise SystemExit(f"{path}: keys run live on one replica only (each live replica keeps its "
                         "own spend in its own store; the simulated ones share it)")
    if any(not m.get("key") for m in scenario["traffic"].get("mix", [])):
        raise SystemExit(f"{path}: with keys, every mix entry must name its key to run live")
    return [dict(k) for k in keys]


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
    for section in ("rate_limits", "budgets"):
        if scenario.get(section):
            config[section] = scenario[section]
    if needs_admin_key(scenario):
        config["auth"] = {"admin_key": ADMIN_KEY}
    with open(out, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)


def figures(report):
    """The compared figures of a report: the simulator's `totals`, or scenario_load's report."""
    totals = report.get("totals", report)
    finished = totals["finished"]

    def share(cause):
        return totals["errors"].get(cause, 0) / finished * 100 if finished else 0.0

    cost = totals["cost_usd"]
    out = {
        "requests": totals["requests"],
        "completed": totals["completed"],
        "latency p50 (ms)": totals["latency_s"]["p50"] * 1000,
        "latency p99 (ms)": totals["latency_s"]["p99"] * 1000,
        "TTFT p50 (ms)": totals["ttft_s"]["p50"] * 1000,
        "TTFT p99 (ms)": totals["ttft_s"]["p99"] * 1000,
        "throughput (/s)": totals["throughput_rps"],
        "error rate (%)": totals["error_rate"] * 100,
        "shed rate (%)": totals["shed_rate"] * 100,
        "429 rate (%)": share("rate_limited"),
        "retries": totals["retries"],
        "fallbacks": totals["fallbacks"],
        "breaker openings": totals["breaker_openings"],
        "cost ($)": cost["total"] if isinstance(cost, dict) else cost,
    }
    # A canary's candidate: the requests it served and the rollbacks (every replica's).
    if "canaries" in report:
        out["canary candidate"] = candidate_requests(totals.get("canary", {}))
        out["canary rollbacks"] = sum(len(c["rollbacks"]) for c in report["canaries"])
    elif "canary" in report:
        out["canary candidate"] = report["canary"]["candidate"]
        out["canary rollbacks"] = report["canary"]["rollbacks"]
    return out


def candidate_requests(counts):
    """The candidate's requests in a report's canary counts, one alias's or several's."""
    if "candidate" in counts:
        return counts["candidate"]
    return sum(candidate_requests(v) for v in counts.values() if isinstance(v, dict))


DIGITS = {"throughput (/s)": 2, "error rate (%)": 2, "shed rate (%)": 2, "429 rate (%)": 2,
          "cost ($)": 4, "requests": 0, "completed": 0, "retries": 0, "fallbacks": 0,
          "breaker openings": 0, "canary candidate": 0, "canary rollbacks": 0}


def table(load, traffic, sim_path, live_path, seed_paths):
    with open(sim_path) as f:
        sim_report = json.load(f)
    with open(live_path) as f:
        live = json.load(f)
    sim = figures(sim_report)
    measured = figures(live)
    # The simulation's own spread: the same scenario under other seeds (other arrivals as well as
    # other upstream draws), the band a measured figure may fall in by chance.
    seeds = []
    for path in seed_paths:
        with open(path) as f:
            seeds.append(figures(json.load(f)))

    gen = live["generator"]
    print(f"\n== load {load}x: {traffic}, {live['duration_s']:g} s "
          f"(generator lag p50 {gen['lag_s']['p50'] * 1e3:.2f} ms, p99 "
          f"{gen['lag_s']['p99'] * 1e3:.2f} ms, max {gen['lag_s']['max'] * 1e3:.1f} ms; "
          f"CPU {gen['cpu_share'] * 100:.1f}% of a core; unfinished {live['unfinished']})")
    print(f"{'figure':<18} {'simulated':>11} {'measured':>11} {'diff':>8}  "
          f"{'simulated over ' + str(len(seeds)) + ' seeds':>26}  verdict")
    for name, simulated in sim.items():
        if name not in measured:
            continue
        value = measured[name]
        digits = DIGITS.get(name, 1)
        spread = sorted(s[name] for s in seeds) + [simulated]
        low, high = min(spread), max(spread)
        if simulated == value:
            diff, verdict = 0.0, "ok"
        else:
            diff = (value - simulated) / simulated * 100 if simulated else math.inf
            verdict = "ok" if abs(diff) <= 10 else ("noise" if low <= value <= high else "MISS")
        d = "     n/a" if math.isinf(diff) else f"{diff:+7.1f}%"
        band = f"{low:.{digits}f} - {high:.{digits}f}"
        print(f"{name:<18} {simulated:>11.{digits}f} {value:>11.{digits}f} {d:>8}  {band:>26}  "
              f"{verdict}")
    print("attempts by deployment and outcome (simulated / measured):")
    sim_deployments = {d["deployment"]: d for d in sim_report["deployments"]}
    live_deployments = {d["deployment"]: d for d in live.get("deployments", [])}
    for name in sorted(set(sim_deployments) | set(live_deployments)):
        s_out = sim_deployments.get(name, {}).get("outcomes", {})
        l_out = live_deployments.get(name, {}).get("outcomes", {})
        cells = [f"{o} {s_out.get(o, 0):g} / {l_out.get(o, 0):g}"
                 for o in sorted(set(s_out) | set(l_out))]
        print(f"  {name}: " + ", ".join(cells))
    if "canaries" in sim_report:
        print("canary rollbacks, seconds from the start: simulated "
              f"{sorted(round(r['at_s'], 2) for c in sim_report['canaries'] for r in c['rollbacks'])}"
              f"; measured {live_rollback_times(live_path, live)}")
    sim_errors = {k: v for k, v in sim_report["totals"]["errors"].items() if v}
    live_errors = {k: v for k, v in live["errors"].items() if v}
    print(f"errors by cause: simulated {sim_errors or '{}'}; measured {live_errors or '{}'}")
    if not live.get("metrics_read"):
        print("note: the gateways' /metrics could not be read: retries, fallbacks, openings and "
              "cost are not measured")


def live_rollback_times(live_path, live):
    """The rollbacks the gateways logged (rollbacks.jsonl beside the live report), in seconds
    from the load's time 0."""
    path = os.path.join(os.path.dirname(live_path), "rollbacks.jsonl")
    if not os.path.exists(path):
        return []
    start = live["generator"]["started_unix_s"]
    times = []
    with open(path) as f:
        for line in f:
            ts = json.loads(line)["ts"]  # 2026-01-01T00:00:00.000Z
            when = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc)
            times.append(round(when.timestamp() - start, 2))
    return sorted(times)


def keys(path):
    """One line per key of the scenario: its name, a tab, its POST /v1/admin/keys body."""
    scenario = load(path)
    for body in live_keys(scenario, path):
        print(f"{body['name']}\t{json.dumps(body)}")


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    command = argv[1]
    if command == "plan" and len(argv) == 3:
        plan(argv[2])
    elif command == "keys" and len(argv) == 3:
        keys(argv[2])
    elif command == "config" and len(argv) >= 4:
        config(argv[2], argv[3], argv[4:])
    elif command == "table" and len(argv) >= 6:
        table(argv[2], argv[3], argv[4], argv[5], argv[6:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
