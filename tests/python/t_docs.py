#!/usr/bin/env python3
"""Every public name of `am` (am.__all__ and the layer list help(am) prints; am's own docstring too) and every
public method of its classes has a docstring with an example (a line starting with '>>> '), and the examples run:
the >>> and ... lines of each docstring, as one script, in a fresh namespace holding only `am` and `np` (a method's
after its class's examples, which make the objects it uses), in a temporary working directory, with stdout captured
(outputs are not compared). An exception fails the test, naming the docstring and the line. Examples that need data
not shipped with libam (Fashion-MNIST, WordNet) are skipped only when it is missing."""
import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import traceback

import numpy as np

import am
from tap import diag, ok, skip

CODE = re.compile(r"^\s*(>>>|\.\.\.)( |$)")


def layer_names():
    """The names of the layer list in am's docstring (the lines between 'The layers' and the first blank line)."""
    lines = am.__doc__.split("The layers", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    names = []
    for line in lines:
        words = line.split(None, 1)[1] if not line.startswith(" " * 16) else line
        names += [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", words) if w in am.__dict__]
    return names


def public():
    """(label, object) for every public name, then every public method of the classes among them."""
    names = list(dict.fromkeys(list(am.__all__) + layer_names()))
    out = [("am", am)]  # help(am): the module's own examples
    for name in names:
        obj = getattr(am, name)
        if isinstance(obj, (bool, int, str, tuple)):
            continue  # have_numpy, __version__, commit, TPQ, REST, motifs: values, with no docstring of their own
        out.append(("am." + name, obj))
    for name in names:
        cls = getattr(am, name)
        if isinstance(cls, type) and not issubclass(cls, BaseException):
            for m in sorted(vars(cls)):
                if not m.startswith("_") and callable(getattr(cls, m)):
                    out.append(("am.%s.%s" % (name, m), getattr(cls, m)))
    return out


def script(doc):
    """The example lines of a docstring, prompts removed: (source, [docstring line of each source line])."""
    src, where = [], []
    for k, line in enumerate(doc.splitlines()):
        m = CODE.match(line)
        if m:
            src.append(line[m.end():] if m.group(2) else "")
            where.append(k)
    return "\n".join(src) + "\n", where


def needs(label, doc):
    """Why an example cannot run here (data that libam does not ship is missing), or None."""
    if "am.fashion(" in doc or "'fashion'" in doc or "\"fashion\"" in doc:
        try:
            am.fashion("test")
        except Exception as e:  # noqa: BLE001
            return "Fashion-MNIST is not here (%s)" % e
    if "WordNet(" in doc:
        try:
            am.WordNet()
        except Exception as e:  # noqa: BLE001
            return "WordNet is not here (%s)" % e
    return None


def run(label, doc, setup=""):
    """Runs the examples of doc after those of setup (a method's class's docstring: they make the objects a
    method's example uses, e.g. the c of Concepts.observe); the failing line's text, or None."""
    pre, _ = script(setup)
    src, where = script(doc)
    src = pre + src
    where = [None] * len(pre.splitlines()) + where
    tag = "<%s>" % label
    here = os.getcwd()
    tmp = tempfile.mkdtemp(prefix="am-docs-")
    try:
        os.chdir(tmp)
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(src, tag, "exec"), {"am": am, "np": np, "__name__": "__doc__"})
        return None
    except BaseException as e:  # noqa: BLE001
        line = getattr(e, "lineno", None) if isinstance(e, SyntaxError) and e.filename == tag else None
        for f in traceback.extract_tb(e.__traceback__):
            if f.filename == tag:
                line = f.lineno
        if line and where[line - 1] is None:
            text = "(its class's example) " + pre.splitlines()[line - 1]
        else:
            text = doc.splitlines()[where[line - 1]].strip() if line else "?"
        return "%s: %s: %s" % (text, type(e).__name__, e)
    finally:
        os.chdir(here)
        shutil.rmtree(tmp, True)


internal = [label for label, obj in public() if "amx_" in (getattr(obj, "__doc__", None) or "")]
ok(not internal, "no docstring names an internal function (amx_...) %s" % internal)
missing = []
for label, obj in public():
    doc = getattr(obj, "__doc__", None) or ""
    if not any(CODE.match(line) and line.lstrip().startswith(">>> ") for line in doc.splitlines()):
        missing.append(label)
        continue
    why = needs(label, doc)
    if why:
        skip("%s: its example runs" % label, why)
        continue
    cls = getattr(am, label.split(".")[1]) if label.count(".") == 2 else None
    err = run(label, doc, cls.__doc__ if cls is not None else "")
    if err:
        diag("%s: %s" % (label, err))
    ok(err is None, "%s: its example runs" % label)
names = [m for m in missing if m.count(".") <= 1]
ok(not names, "every public name has an example (>>> ) in its docstring %s" % names)
methods = [m for m in missing if m.count(".") == 2]
ok(not methods, "every public method of its classes has an example in its docstring %s" % methods)
sys.stdout.flush()
