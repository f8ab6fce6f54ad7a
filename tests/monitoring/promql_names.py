"""Names used by a PromQL expression: metric names, their selectors' label
names, grouping label names, so tests can hold queries to docs/metrics.md.

A small lexer rather than a regex over the text: strings, label matchers,
range/subquery brackets, durations, Grafana variables, function calls and
grouping clauses are each skipped or read for what they are, so a label value
or a function name is never mistaken for a series.
"""

import re

# PromQL functions and aggregation operators (Prometheus 2.42,
# docs/querying/functions.md and operators.md).
FUNCTIONS = frozenset("""
abs absent absent_over_time ceil changes clamp clamp_max clamp_min
day_of_month day_of_week day_of_year days_in_month delta deriv exp floor
histogram_quantile holt_winters hour idelta increase irate label_join
label_replace ln log2 log10 minute month predict_linear rate resets round
scalar sgn sort sort_desc sqrt time timestamp vector year avg_over_time
min_over_time max_over_time sum_over_time count_over_time
quantile_over_time stddev_over_time stdvar_over_time last_over_time
present_over_time acos acosh asin asinh atan atanh cos cosh sin sinh tan
tanh deg pi rad start end
sum min max avg group stddev stdvar count count_values bottomk topk quantile
""".split())
# Followed by a parenthesised label list.
GROUPING = frozenset("by without on ignoring group_left group_right".split())
AGGREGATIONS = frozenset(
    "sum min max avg group stddev stdvar count count_values bottomk topk quantile".split())
KEYWORDS = frozenset("and or unless offset bool atan2 inf nan".split())

_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_NUMBER = re.compile(r"[0-9.][0-9a-zA-Z_.+]*")
_GRAFANA_VAR = re.compile(r"\$(\{[^}]*\}|[a-zA-Z0-9_]+)")


class PromQLNames:
    def __init__(self):
        self.metrics = set()
        self.selector_labels = {}  # metric -> set of label names in its {}
        self.grouping_labels = set()
        self.errors = []


def _skip_string(s, i):
    """s[i] is a quote; returns the index after the closing quote."""
    q = s[i]
    i += 1
    while i < len(s):
        if s[i] == "\\" and q != "`":
            i += 2
            continue
        if s[i] == q:
            return i + 1
        i += 1
    raise ValueError("unterminated string")


def _next_word(s, i):
    m = _IDENT.match(s, i)
    return m.group().lower() if m else ""


def _skip_ws(s, i):
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _label_list(s, i, out):
    """s[i] is '('; reads `(a, b)` into out; returns the index after ')'."""
    end = s.find(")", i)
    if end < 0:
        raise ValueError("unclosed label list")
    for part in s[i + 1:end].split(","):
        part = part.strip()
        if part:
            if not _LABEL.fullmatch(part):
                raise ValueError("bad label name %r in grouping" % part)
            out.add(part)
    return end + 1


def _matchers(s, i):
    """s[i] is '{'; returns (label names, index after '}')."""
    names = set()
    i += 1
    while True:
        i = _skip_ws(s, i)
        if i >= len(s):
            raise ValueError("unclosed {")
        if s[i] == "}":
            return names, i + 1
        if s[i] == ",":
            i += 1
            continue
        m = _LABEL.match(s, i)
        if not m:
            raise ValueError("bad label matcher at %r" % s[i:i + 20])
        names.add(m.group())
        i = _skip_ws(s, m.end())
        op = re.compile(r"=~|!~|!=|=").match(s, i)
        if not op:
            raise ValueError("bad matcher operator at %r" % s[i:i + 20])
        i = _skip_ws(s, op.end())
        if i >= len(s) or s[i] not in "\"'`":
            raise ValueError("label value must be a string at %r" % s[i:i + 20])
        i = _skip_string(s, i)


def names(expr):
    """Parses expr; returns PromQLNames (errors lists what it refused)."""
    out = PromQLNames()
    s = expr
    i = 0
    last_metric = None  # a metric name just read, for a following {...}
    try:
        while i < len(s):
            c = s[i]
            if c.isspace():
                i += 1
                continue
            if c == "#":
                nl = s.find("\n", i)
                i = len(s) if nl < 0 else nl + 1
                continue
            if c in "\"'`":
                i = _skip_string(s, i)
                last_metric = None
                continue
            if c == "$":
                m = _GRAFANA_VAR.match(s, i)
                if not m:
                    raise ValueError("bad variable at %r" % s[i:i + 20])
                i = m.end()
                last_metric = None
                continue
            if c == "{":
                labels, i = _matchers(s, i)
                if last_metric is None:
                    out.errors.append("selector without a metric name: %r" % expr)
                else:
                    out.selector_labels.setdefault(last_metric, set()).update(labels)
                last_metric = None
                continue
            if c == "[":
                end = s.find("]", i)
                if end < 0:
                    raise ValueError("unclosed [")
                i = end + 1
                last_metric = None
                continue
            if c.isdigit() or (c == "." and i + 1 < len(s) and s[i + 1].isdigit()):
                i = _NUMBER.match(s, i).end()
                last_metric = None
                continue
            m = _IDENT.match(s, i)
            if m:
                word = m.group()
                lower = word.lower()
                i = m.end()
                nxt = _skip_ws(s, i)
                last_metric = None
                if lower in GROUPING:
                    if nxt < len(s) and s[nxt] == "(":
                        i = _label_list(s, nxt, out.grouping_labels)
                elif lower in KEYWORDS:
                    pass
                elif nxt < len(s) and s[nxt] == "(":
                    if lower not in FUNCTIONS:
                        out.errors.append("unknown function %r in %r" % (word, expr))
                elif lower in AGGREGATIONS and _next_word(s, nxt) in ("by", "without"):
                    pass  # `sum by (x) (...)`: the clause is read next
                else:
                    out.metrics.add(word)
                    last_metric = word
                continue
            i += 1  # an operator or a parenthesis
            last_metric = None
    except ValueError as e:
        out.errors.append("cannot parse %r: %s" % (expr, e))
    return out
