"""Every ```python block of README.md runs as written: each in a fresh namespace, in a temporary working
directory (a snippet that writes files leaves nothing in the tree), its output kept out of the TAP stream."""
import contextlib
import io
import os
import re
import tempfile
import traceback

import tap

here = os.path.dirname(os.path.abspath(__file__))
readme = os.path.join(here, "..", "..", "README.md")
text = open(readme, encoding="utf-8").read()
blocks = [(text.count("\n", 0, m.start()) + 2, m.group(1))
          for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]
tap.ok(len(blocks) >= 3, "README.md has its Python snippets (%d)" % len(blocks))
old = os.getcwd()
for line, code in blocks:
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, "README.md:%d" % line, "exec"), {"__name__": "__readme__"})
            good = True
        except Exception:  # noqa: BLE001  (any failure of a snippet is reported with its traceback)
            tap.diag(traceback.format_exc())
            good = False
        finally:
            os.chdir(old)
    tap.ok(good, "README.md line %d: the snippet runs as written" % line)
