#!/usr/bin/env python3
"""Runs the Python test files named on the command line in this one process, as one TAP stream (one plan at the
end): a crash of the interpreter in any of them fails the whole run."""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import tap  # noqa: E402

for name in sys.argv[1:]:
    tap.diag("--- " + name)
    runpy.run_path(os.path.join(here, name), run_name="__test__")
sys.exit(tap.done())
