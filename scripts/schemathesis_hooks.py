"""Loaded by scripts/fuzz.sh (SCHEMATHESIS_HOOKS) into schemathesis before it runs.

Hypothesis names each filter it builds by parsing its lambda's source file. On Python 3.11
(Debian bookworm's, and 3.11.7), parsing schemathesis's largest module from deep inside the
coverage phase's generators raises `SystemError: AST constructor recursion depth mismatch`
(a CPython bug in the AST validator's depth count), and schemathesis reports the operation
as a "Runtime Error" without testing it. The name is only used in reprs, so a lambda whose
source cannot be parsed is named as hypothesis names one it cannot find.
"""

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _describe_or_unknown(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_unknown
