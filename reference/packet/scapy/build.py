#!/usr/bin/python3
"""Oracle bridge: build packets with scapy and print their bytes as hex.

What: reads scapy packet expressions on stdin -- either a JSON list of
strings, or one expression per line (blank lines and lines starting with
'#' are skipped) -- and writes one output line per expression, in order:
the lowercase hex of bytes(eval(expr)), or "!error <Type>: <message>".
Why eval is acceptable here: this is the test oracle, run only by the
cross-check test on the project's own corpus, never on scenario input.
Leaves out: everything but building (no sending, no sniffing). scapy's
routing-dependent defaults (Ether/ARP/IP source addresses) are whatever
this machine gives; the corpus avoids relying on them.
Run with Debian's /usr/bin/python3 (python3-scapy 2.5).
"""
import json
import logging
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.all import *  # noqa: E402,F401,F403  (the oracle's namespace)


def read_expressions(text):
    stripped = text.lstrip()
    if stripped.startswith("["):
        items = json.loads(stripped)
        if not all(isinstance(item, str) for item in items):
            raise SystemExit("build.py: the JSON input must be a list of strings")
        return items
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def build_hex(expression):
    try:
        packet = eval(expression)  # noqa: S307 -- oracle on our own corpus
        return bytes(packet).hex()
    except Exception as err:  # report and go on with the next expression
        one_line = str(err).replace("\n", " ")
        return "!error %s: %s" % (type(err).__name__, one_line)


def main():
    expressions = read_expressions(sys.stdin.read())
    out = sys.stdout
    for expression in expressions:
        out.write(build_hex(expression) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
