"""
The oracle for cli-formatters.test.ts: random response values formatted by the AWS CLI's own
formatters (awscli.formatter's JSON, text, table and YAML, from the awscli package of an installed
AWS CLI v2), printed as JSON cases {value, format, width, expected}. Floats are tagged {"__f": x}
so the test can tell them from integers. Usage: python3 awscli-oracle.py SEED COUNT
"""
import copy
import io
import json
import random
import sys

from awscli.formatter import JSONFormatter, TableFormatter, TextFormatter, YAMLFormatter


class Args:
    query = None
    color = 'off'


rng = random.Random(int(sys.argv[1]))
WORDS = ['a', 'web', 'i-0abc', 'True', 'yes', 'null', '1', '2.5', '', ' x', 'x ', 'a: b', '#c', '-', "it's",
         'multi\nline', 'é', '日本', 'tab\there', 'x' * 70, 'word ' * 20, 'emoji😀', 'q"uote', 'back\\slash',
         '0x1f', '2025-01-06', '2025-01-06T09:00:11.840000+00:00', 'a,b', '?q', '---', '~', 'NaN',
         'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1 with a long description that folds']
KEYS = ['Name', 'Value', 'InstanceId', 'State', 'a', 'B', '_x', 'Tags', 'Key', 'zeta', 'Code', 'éclair', '日本']


def value(depth):
    t = rng.random()
    if depth > 3 or t < 0.45:
        c = rng.random()
        if c < 0.55:
            return rng.choice(WORDS)
        if c < 0.7:
            return rng.randint(-5, 100000)
        if c < 0.8:
            return rng.choice([1.0, 3.1, 2.5, 0.0001, 1e-05, 1e16, 123.456, -0.5, 100.0])
        if c < 0.9:
            return rng.choice([True, False])
        return None
    if t < 0.72:
        n = rng.randint(0, 4)
        if rng.random() < 0.5 and n > 0:
            keys = rng.sample(KEYS, rng.randint(1, 4))
            return [{k: value(depth + 2) for k in keys if rng.random() < 0.85} for _ in range(n)]
        return [value(depth + 1) for _ in range(n)]
    return {k: value(depth + 1) for k in rng.sample(KEYS, rng.randint(0, 5))}


def tag(v):
    if isinstance(v, float):
        return {'__f': v}
    if isinstance(v, list):
        return [tag(x) for x in v]
    if isinstance(v, dict):
        return {k: tag(x) for k, x in v.items()}
    return v


FORMATTERS = {'json': JSONFormatter, 'text': TextFormatter, 'table': TableFormatter, 'yaml': YAMLFormatter}
cases = []
for _ in range(int(sys.argv[2])):
    v = value(0)
    if rng.random() < 0.25:
        v = {'Reservations': v}
    width = rng.choice([80, 80, 120, 40])
    for fmt, cls in FORMATTERS.items():
        out = io.StringIO()
        f = cls(Args())
        if fmt == 'table':
            f.table._terminal_width = width
        try:
            f('DescribeThings', copy.deepcopy(v), out)
            expected = out.getvalue()
        except Exception:  # the CLI fails on some shapes (rows of uneven length): not compared
            continue
        cases.append({'value': tag(v), 'format': fmt, 'width': width, 'expected': expected})
json.dump(cases, sys.stdout, ensure_ascii=False)
