#!/usr/bin/env python3
"""Checks deploy/prometheus: the rules are valid and pass their promtool unit tests; every alert
has a severity, a summary, a description, a runbook that exists and is indexed, and unit tests
that make it fire and keep it quiet; every recording rule is tested; and every metric the rules
and the runbooks' PromQL read exists in the real binary's /metrics, with the labels and buckets
they select (rules written against made-up names never fire).

usage: SLUICE_BINARY=build/release/sluice tests/deploy/check_alerts.py
"""

import base64
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(ROOT, "deploy/prometheus/alerts.yaml")
TESTS = sorted(glob.glob(os.path.join(ROOT, "deploy/prometheus/tests/*.yaml")))
RUNBOOKS = os.path.join(ROOT, "docs/runbooks")
PROMTOOL = os.environ.get("PROMTOOL", "promtool")
START_TIMEOUT = 30  # seconds for a process to log its port (a loaded 2-core machine)

# Series no Sluice exports, with why they may be used anyway.
NOT_FROM_SLUICE = {
    "up": "Prometheus writes it for every scrape target",
}

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                "unless", "offset", "bool", "inf", "nan", "atan2"}

problems = []


def problem(text):
    problems.append(text)
    print("FAIL: " + text)


def run_promtool():
    for args in (["check", "rules", RULES], ["test", "rules", *TESTS]):
        result = subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            problem("promtool %s failed:\n%s%s" % (" ".join(args[:2]), result.stdout,
                                                   result.stderr))


def load_rules():
    with open(RULES) as f:
        groups = yaml.safe_load(f)["groups"]
    return [rule for group in groups for rule in group["rules"]]


def load_tests():
    fired, quiet, exprs = set(), set(), []
    for path in TESTS:
        with open(path) as f:
            for test in yaml.safe_load(f)["tests"]:
                for case in test.get("alert_rule_test") or []:
                    expected = case.get("exp_alerts") or []
                    for alert in expected:
                        if "severity" not in (alert.get("exp_labels") or {}) or \
                                not alert.get("exp_annotations"):
                            problem("%s: a test of %s expects no severity or no annotations"
                                    % (os.path.basename(path), case["alertname"]))
                    (fired if expected else quiet).add(case["alertname"])
                exprs += [case["expr"] for case in test.get("promql_expr_test") or []]
    return fired, quiet, exprs


def check_alert_shape(rules):
    fired, quiet, test_exprs = load_tests()
    with open(os.path.join(RUNBOOKS, "README.md")) as f:
        index = f.read()
    alert_names = set()
    for rule in rules:
        name = rule.get("alert")
        if not name:
            if not any(re.search(r"(?<![\w:])%s(?![\w:])" % re.escape(rule["record"]), e)
                       for e in test_exprs):
                problem("recording rule %s: no promql_expr_test reads it" % rule["record"])
            continue
        alert_names.add(name)
        labels, notes = rule.get("labels", {}), rule.get("annotations", {})
        if labels.get("severity") not in ("page", "ticket"):
            problem("%s: severity must be page or ticket, is %r" % (name, labels.get("severity")))
        for key in ("summary", "description", "runbook_url"):
            if not notes.get(key):
                problem("%s: annotation %s is missing" % (name, key))
        url = notes.get("runbook_url", "")
        if url != "docs/runbooks/%s.md" % name:
            problem("%s: runbook_url %r is not docs/runbooks/%s.md" % (name, url, name))
        elif not os.path.isfile(os.path.join(ROOT, url)):
            problem("%s: runbook %s does not exist" % (name, url))
        if "(%s.md)" % name not in index:
            problem("%s: docs/runbooks/README.md does not link its runbook" % name)
        if name not in fired:
            problem("%s: no unit test makes it fire" % name)
        if name not in quiet:
            problem("%s: no unit test keeps it quiet" % name)
    for path in glob.glob(os.path.join(RUNBOOKS, "*.md")):
        stem = os.path.basename(path)[:-3]
        if stem != "README" and stem not in alert_names:
            problem("docs/runbooks/%s.md: no alert of that name" % stem)
    return alert_names


def selectors(expr):
    """(metric name, label names, le values) of each series selector in a PromQL expression."""
    strings = []

    def hold(match):  # string literals out of the way: label_replace's arguments are no metrics
        strings.append(match.group(0)[1:-1])
        return '"%d"' % (len(strings) - 1)

    text = re.sub(r'"(?:[^"\\]|\\.)*"', hold, expr)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    found = []
    for match in re.finditer(r'(?<![\w:."])([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?', text):
        name, matchers = match.group(1), match.group(2) or ""
        if name.lower() in PROMQL_WORDS:
            continue
        if not matchers and text[match.end():].lstrip().startswith("("):
            continue  # a function or an aggregation
        labels = re.findall(r"(\w+)\s*(?:=~|!~|!=|=)", matchers)
        les = [strings[int(i)] for i in re.findall(r'\ble\s*=\s*"(\d+)"', matchers)]
        found.append((name, labels, les))
    return found


API_KEY = "sk-check-0123456789abcdef"
CONFIG = """server: { threads: 1 }
log: { format: json }
storage: { data_dir: %s }
auth:
  api_keys: [ { name: check, key: %s, role: admin } ]
  jwt: { jwks_file: %s }
admission: { max_concurrency: 16, max_queue: 16 }
gateway:
  providers:
    - { name: mock, type: openai, base_url: "http://127.0.0.1:%d/v1", api_key: test }
  models:
    - { alias: check-model, deployments: [ { provider: mock, model: mock-model } ] }
  prices:
    - { model: mock-model, input_per_million: 1, output_per_million: 2 }
"""


def make_jwks(directory):
    """A JWKS of one fresh EC P-256 key, so that the binary runs with JWTs on."""
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                   check=True, capture_output=True, timeout=60)
    der = subprocess.run(["openssl", "ec", "-in", key, "-pubout", "-outform", "DER"],
                         check=True, capture_output=True, timeout=60).stdout
    point = der[-64:]  # x || y of the uncompressed point that ends the SubjectPublicKeyInfo

    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    path = os.path.join(directory, "jwks.json")
    with open(path, "w") as f:
        json.dump({"keys": [{"kty": "EC", "crv": "P-256", "kid": "check", "alg": "ES256",
                             "use": "sig", "x": b64(point[:32]), "y": b64(point[32:])}]}, f)
    return path


def start(args, log_path, env, processes):
    """Starts a process that logs its port in a JSON "listening" line; returns it and the port."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
    processes.append(process)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with open(log_path) as f:
            for line in f:
                if '"listening"' in line:
                    return process, json.loads(line)["port"]
        time.sleep(0.05)
    with open(log_path) as f:
        sys.exit("%s did not start:\n%s" % (" ".join(args), f.read()))


def http(url, body=None, headers=None):
    request = urllib.request.Request(url, data=body, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def scrape_real_binary(binary):
    """The binary's /metrics after a plain and a streamed chat, with every optional part on
    (admission control, JWTs, prices), so that every metric family is declared."""
    with tempfile.TemporaryDirectory(prefix="sluice-alerts-") as tmp:
        processes = []
        try:
            env = dict(os.environ, SLUICE_ENV="dev")
            env.pop("SLUICE_CONFIG", None)
            mock, mock_port = start([binary, "mock-upstream", "--listen", "127.0.0.1:0"],
                                    os.path.join(tmp, "mock.log"), env, processes)
            config = os.path.join(tmp, "sluice.yaml")
            with open(config, "w") as f:
                f.write(CONFIG % (os.path.join(tmp, "data"), API_KEY, make_jwks(tmp), mock_port))
            server, port = start([binary, "serve", "--config", config, "--listen", "127.0.0.1:0"],
                                 os.path.join(tmp, "sluice.log"), env, processes)
            base = "http://127.0.0.1:%d" % port
            headers = {"authorization": "Bearer " + API_KEY, "content-type": "application/json"}
            for stream in (False, True):
                http(base + "/v1/chat/completions", json.dumps({
                    "model": "check-model", "stream": stream,
                    "messages": [{"role": "user", "content": "hello"}]}).encode(), headers)
            return http(base + "/metrics")
        finally:  # stopped before their data directory goes
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def runbook_queries():
    """(runbook, expression) of each line of the runbooks' ```promql blocks."""
    for path in sorted(glob.glob(os.path.join(RUNBOOKS, "*.md"))):
        with open(path) as f:
            for block in re.findall(r"```promql\n(.*?)```", f.read(), re.S):
                for line in block.splitlines():
                    for expr in line.split("#")[0].split(";"):
                        if expr.strip():
                            yield os.path.basename(path), expr


def check_metrics(rules, exposition):
    families = dict(re.findall(r"^# TYPE (\S+) (\S+)$", exposition, re.M))
    samples = {}
    for name, labels in re.findall(r"^([A-Za-z_:][\w:]*)(?:\{([^}]*)\})? ", exposition, re.M):
        samples.setdefault(name, []).append(dict(re.findall(r'(\w+)="([^"]*)"', labels)))
    recorded = {rule["record"] for rule in rules if "record" in rule}
    target_labels = {"job", "instance", "pod"}  # added by Prometheus at scrape, not by Sluice
    checked = set()
    exprs = [(rule.get("alert") or rule.get("record"), rule["expr"]) for rule in rules]
    for where, expr in exprs + list(runbook_queries()):
        for name, labels, les in selectors(expr):
            if ":" in name:
                if name not in recorded:
                    problem("%s reads %s, which no rule records" % (where, name))
                continue
            if name in NOT_FROM_SLUICE:
                continue
            family = re.sub(r"_(bucket|count|sum)$", "", name)
            if name not in families and families.get(family) != "histogram":
                problem("%s reads %s, which sluice's /metrics does not declare" % (where, name))
                continue
            checked.add(name)
            seen = samples.get(name, [])
            if seen:
                for label in set(labels) - target_labels:
                    if not any(label in s for s in seen):
                        problem("%s: %s has no label %s in sluice's /metrics" % (where, name, label))
            for le in les:
                if not any(s.get("le") == le for s in seen):
                    problem('%s: %s has no bucket le="%s" in sluice\'s /metrics' % (where, name, le))
    print("metrics checked against the binary: " + ", ".join(sorted(checked)))


def main():
    binary = os.environ.get("SLUICE_BINARY")
    if not binary or not os.access(binary, os.X_OK):
        sys.exit("set SLUICE_BINARY to the sluice binary")
    run_promtool()
    rules = load_rules()
    alerts = check_alert_shape(rules)
    check_metrics(rules, scrape_real_binary(binary))
    if problems:
        sys.exit("%d problem(s) in deploy/prometheus" % len(problems))
    print("ok: %d alerts, %d recording rules" % (len(alerts), len(rules) - len(alerts)))


if __name__ == "__main__":
    main()
