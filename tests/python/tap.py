"""TAP for the Python tests: ok(), raises(), skip(); run.py prints the plan after every file it runs."""
import sys

count = 0
failed = 0


def ok(cond, name):
    global count, failed
    count += 1
    if not cond:
        failed += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", count, name))
    sys.stdout.flush()
    return cond


def diag(text):
    for line in str(text).splitlines():
        print("# " + line)


def raises(exc, fn, name, status=None, text=None):
    """fn() raises exc (a class or a tuple), with .status == status and text in its message when given."""
    try:
        fn()
    except exc as e:
        good = (status is None or getattr(e, "status", None) == status) and (text is None or text in str(e))
        if not good:
            diag("got %r (status %s)" % (e, getattr(e, "status", None)))
        return ok(good, name)
    except BaseException as e:  # noqa: BLE001  (a KeyboardInterrupt here is a failure too)
        diag("got %r" % e)
        return ok(False, name)
    return ok(False, name + " (no exception)")


def skip(name, why):
    global count
    count += 1
    print("ok %d - %s # SKIP %s" % (count, name, why))


def done():
    print("1..%d" % count)
    return 1 if failed else 0
