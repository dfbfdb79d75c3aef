"""Every ```python block of README.md runs as written: each in a fresh namespace, in a temporary working
directory (a snippet that writes files leaves nothing in the tree), its output kept out of the TAP stream."""
import code as _code
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


# Each snippet pastes into the plain python REPL as it is: a for/with block ends with a blank line before the next
# dedented line (else the REPL says SyntaxError). The REPL's own line-by-line compilation, nothing run.
class Paste(_code.InteractiveConsole):
    bad = None

    def runcode(self, c):
        pass

    def showsyntaxerror(self, filename=None, **kw):
        self.bad = self.bad or (self.buffer[-1] if self.buffer else "?")


for line, code in blocks:
    repl = Paste()
    for text in code.splitlines():
        repl.push(text)
        if repl.bad is not None:
            break
    tap.ok(repl.bad is None, "README.md line %d: the snippet pastes into the python REPL%s" %
           (line, "" if repl.bad is None else " (not after %r)" % repl.bad))
