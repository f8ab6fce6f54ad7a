"""Holds deploy/monitoring to docs/metrics.md and to itself.

- The Grafana dashboard parses, uses the `${datasource}` variable, has the
  namespace/cluster variables, and every panel has a query.
- Every series named in a dashboard query (and variable query) and in a rule
  expression is a row of docs/metrics.md (histogram `_bucket/_sum/_count`
  map to their base series), with only its documented labels: a renamed
  series or label fails here.
- Every dashboard query and rule expression is valid PromQL (promtool check
  rules over them as recording rules).
- Every alert has a severity, summary/description/runbook_url annotations
  (per-DorisCluster alerts name the cluster), a runbook section in
  docs/operations.md, and both a firing and a not-firing case in
  tests/monitoring/*.test.yml; the Monitoring section's links resolve.

Usage: monitoring_test.py ROOT (the directory holding deploy/, docs/, tests/).
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

import promql_names

# Labels Prometheus itself attaches to every scraped series.
TARGET_LABELS = {"job", "instance", "pod"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
SEVERITIES = {"critical", "warning", "info"}

failures = []


def fail(msg):
    failures.append(msg)


def read_metrics_table(path):
    """docs/metrics.md's table: {series: (type, set of label words)}."""
    rows = {}
    header_seen = False
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("|"):
                continue
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not header_seen:
                if [c.lower() for c in cells[:4]] != ["series", "type", "labels", "meaning"]:
                    fail("%s: the table's header is not | series | type | labels | meaning |" % path)
                header_seen = True
                continue
            m = re.fullmatch(r"`([a-zA-Z_:][a-zA-Z0-9_:]*)`", cells[0])
            if not m:
                continue  # the |---| line
            if len(cells) < 3:
                fail("%s: row for %s has no type or labels column" % (path, m.group(1)))
                continue
            rows[m.group(1)] = (cells[1].strip("` ").lower(),
                                set(re.findall(r"[a-zA-Z_][a-zA-Z0-9_]*", cells[2])))
    if not rows:
        fail("%s lists no series" % path)
    return rows


def base_series(name, table):
    """The documented series a name stands for, or None."""
    if name in table:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            if base in table and table[base][0] in ("histogram", "summary"):
                return base
    return None


def check_query(where, expr, table):
    """Fails for every name in expr that docs/metrics.md does not document."""
    n = promql_names.names(expr)
    for e in n.errors:
        fail("%s: %s" % (where, e))
    if not n.metrics and "vector(" not in expr and "time()" not in expr:
        fail("%s: query names no series: %r" % (where, expr))
    all_labels = set(TARGET_LABELS) | {"le"}
    for _, labels in table.values():
        all_labels |= labels
    for metric in sorted(n.metrics):
        base = base_series(metric, table)
        if base is None:
            fail("%s: %s is not a series in docs/metrics.md (query %r)" % (where, metric, expr))
            continue
        allowed = table[base][1] | TARGET_LABELS
        if metric.endswith("_bucket"):
            allowed.add("le")
        for label in sorted(n.selector_labels.get(metric, ())):
            if label not in allowed:
                fail("%s: %s has no label %r in docs/metrics.md (query %r)" % (where, metric, label, expr))
    for label in sorted(n.grouping_labels):
        if label not in all_labels:
            fail("%s: label %r in by/on/without is no series' label in docs/metrics.md (query %r)"
                 % (where, label, expr))
    return n


def grafana_to_promql(expr):
    """A dashboard query with Grafana's variables replaced, for promtool."""
    expr = re.sub(r"\$__(rate_)?interval|\$\{__(rate_)?interval\}|\$__range", "5m", expr)
    return re.sub(r"\$\{?[a-zA-Z0-9_]+(:[a-z]+)?\}?", ".*", expr)


def iter_panels(panels):
    for p in panels:
        yield p
        yield from iter_panels(p.get("panels", []))


def check_dashboard(path, table, exprs):
    with open(path) as f:
        try:
            dash = json.load(f)
        except json.JSONDecodeError as e:
            fail("%s does not parse: %s" % (path, e))
            return
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 36:
        fail("%s: schemaVersion %r, want >= 36" % (path, dash.get("schemaVersion")))
    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail("%s: no `datasource` variable of type datasource (prometheus)" % path)
    for name in ("namespace", "cluster"):
        v = variables.get(name)
        if not v or v.get("type") != "query":
            fail("%s: no `%s` query variable" % (path, name))
    for name, v in variables.items():
        if v.get("type") != "query":
            continue
        if (v.get("datasource") or {}).get("uid") != "${datasource}":
            fail("%s: variable %s does not use ${datasource}" % (path, name))
        q = v.get("query")
        q = q.get("query", "") if isinstance(q, dict) else (q or "")
        m = re.fullmatch(r"\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*", q, re.S)
        if not m:
            fail("%s: variable %s: want label_values(<series>, <label>), got %r" % (path, name, q))
            continue
        where = "%s variable %s" % (path, name)
        check_query(where, m.group(1), table)
        base = [base_series(s, table) for s in promql_names.names(m.group(1)).metrics]
        if base and base[0] and m.group(2) not in table[base[0]][1]:
            fail("%s: %s has no label %r" % (where, base[0], m.group(2)))
        exprs.append((where, grafana_to_promql(m.group(1))))
    ids = set()
    panels = list(iter_panels(dash.get("panels", [])))
    if not panels:
        fail("%s has no panels" % path)
    for p in panels:
        title = p.get("title", "?")
        if p.get("id") in ids:
            fail("%s: panel id %r used twice" % (path, p.get("id")))
        ids.add(p.get("id"))
        if "gridPos" not in p:
            fail("%s: panel %r has no gridPos" % (path, title))
        if p.get("type") == "row":
            continue
        if (p.get("datasource") or {}).get("uid") != "${datasource}":
            fail("%s: panel %r does not use ${datasource}" % (path, title))
        targets = [t for t in p.get("targets", []) if t.get("expr", "").strip()]
        if not targets or len(targets) != len(p.get("targets", [])):
            fail("%s: panel %r has a target without a query (or none)" % (path, title))
        for t in targets:
            if (t.get("datasource") or {}).get("uid") not in (None, "${datasource}"):
                fail("%s: panel %r target %s has another datasource" % (path, title, t.get("refId")))
            where = "%s panel %r" % (path, title)
            check_query(where, t["expr"], table)
            exprs.append((where, grafana_to_promql(t["expr"])))


def operations_anchors(path):
    """GitHub's anchors for the headings of docs/operations.md."""
    anchors = set()
    with open(path) as f:
        for line in f:
            m = re.match(r"#+\s+(.*)", line)
            if m:
                a = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
                anchors.add(a)
    return anchors


def check_monitoring_links(path, anchors):
    """The links inside docs/operations.md's Monitoring section resolve."""
    with open(path) as f:
        text = f.read()
    start = text.find("\n## Monitoring")
    if start < 0:
        fail("%s has no ## Monitoring section" % path)
        return
    end = text.find("\n## ", start + 1)
    section = text[start:] if end < 0 else text[start:end]
    for anchor in re.findall(r"\]\(#([^)\s]+)\)", section):
        if anchor not in anchors:
            fail("%s: the Monitoring section links to #%s, no heading has that anchor" % (path, anchor))


def check_rules(path, table, anchors, exprs):
    with open(path) as f:
        doc = yaml.safe_load(f)
    alerts = {}
    for group in doc.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            where = "%s rule %s" % (path, name)
            n = check_query(where, rule.get("expr", ""), table)
            exprs.append((where, rule.get("expr", "")))
            if "alert" not in rule:
                continue
            alerts[name] = rule
            labels = rule.get("labels", {})
            ann = rule.get("annotations", {})
            if labels.get("severity") not in SEVERITIES:
                fail("%s: severity %r, want one of %s" % (where, labels.get("severity"), sorted(SEVERITIES)))
            for key in ("summary", "description", "runbook_url"):
                if not ann.get(key):
                    fail("%s: no %s annotation" % (where, key))
            per_cluster = any("cluster" in table.get(base_series(m, table) or "", ("", set()))[1]
                              for m in n.metrics)
            if per_cluster:
                for key in ("summary", "description"):
                    if "$labels.cluster" not in ann.get(key, "") or "$labels.namespace" not in ann.get(key, ""):
                        fail("%s: %s does not name the cluster ($labels.namespace/$labels.cluster)" % (where, key))
            known = set(TARGET_LABELS)
            for _, ls in table.values():
                known |= ls
            for key, text in ann.items():
                for label in re.findall(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)", text):
                    if label not in known:
                        fail("%s: annotation %s uses $labels.%s, no series has it" % (where, key, label))
            m = re.fullmatch(r"docs/operations\.md#([\w-]+)", ann.get("runbook_url", ""))
            if not m or m.group(1) not in anchors:
                fail("%s: runbook_url %r is no heading of docs/operations.md" % (where, ann.get("runbook_url")))
    if not alerts:
        fail("%s has no alerts" % path)
    return alerts


def check_cases(alerts, test_files):
    """Every alert has a firing and a not-firing case in the promtool tests."""
    firing, quiet = set(), set()
    for path in test_files:
        with open(path) as f:
            doc = yaml.safe_load(f)
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else quiet).add(case.get("alertname"))
    for name in sorted(alerts):
        if name not in firing:
            fail("alert %s has no firing case in %s" % (name, ", ".join(test_files)))
        if name not in quiet:
            fail("alert %s has no not-firing case (empty exp_alerts) in %s" % (name, ", ".join(test_files)))
    for name in sorted((firing | quiet) - set(alerts)):
        fail("the promtool tests name %s, which is no alert" % name)


def check_promql_syntax(exprs):
    """promtool parses every query (as a recording rule)."""
    rules = {"groups": [{"name": "syntax", "rules": [
        {"record": "syntax:query%d" % i, "expr": e} for i, (_, e) in enumerate(exprs)]}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump(rules, f)
    try:
        r = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if r.returncode != 0:
        fail("promtool rejects a query:\n%s%s\n(queries: %s)" % (
            r.stdout, r.stderr, "\n".join("%d %s: %s" % (i, w, e) for i, (w, e) in enumerate(exprs))))


def self_test(table):
    """The name check finds what it must; it would be no check otherwise."""
    global failures
    saved, failures = failures, []
    good = ('histogram_quantile(0.99, sum by (le) (rate(doris_operator_reconcile_duration_seconds_bucket'
            '{job="x"}[$__rate_interval]))) + sum without (outcome) (doris_operator_reconciles_total'
            '{outcome="a{b}[c]"} offset 5m)')
    check_query("self-test", good, table)
    found_good = list(failures)
    failures = []
    for bad, what in [
            ('rate(doris_operator_reconciles_totl[5m])', "doris_operator_reconciles_totl"),
            ('doris_operator_cluster_available{clustr="a"}', "clustr"),
            ('sum by (clustr) (doris_operator_drift_fields)', "clustr"),
            ('doris_operator_queue_depth_bucket', "doris_operator_queue_depth_bucket"),
            ('{__name__="doris_operator_leader"}', "without a metric name"),
            ('rated(doris_operator_leader[5m])', "rated")]:
        check_query("self-test", bad, table)
        if not any(what in f for f in failures):
            saved.append("self-test: %r was not rejected (want a failure naming %s)" % (bad, what))
        failures = []
    for f in found_good:
        saved.append("self-test: a valid query was rejected: " + f)
    failures = saved


def main():
    root = sys.argv[1]
    table = read_metrics_table(os.path.join(root, "docs/metrics.md"))
    self_test(table)
    exprs = []
    check_dashboard(os.path.join(root, "deploy/monitoring/grafana-dashboard.json"), table, exprs)
    anchors = operations_anchors(os.path.join(root, "docs/operations.md"))
    check_monitoring_links(os.path.join(root, "docs/operations.md"), anchors)
    alerts = check_rules(os.path.join(root, "deploy/monitoring/doris-operator-rules.yml"), table, anchors, exprs)
    check_cases(alerts, sorted(glob.glob(os.path.join(root, "tests/monitoring/*.test.yml"))))
    check_promql_syntax(exprs)
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        sys.exit(1)
    print("ok: %d series documented, %d queries and %d alerts checked" % (len(table), len(exprs), len(alerts)))


if __name__ == "__main__":
    main()
