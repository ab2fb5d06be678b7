"""Print CPython's compile verdict for each file named on the command line.

Usage: python verdict.py PATH...   (a lone `-` reads further paths from stdin, one a line)

For every path, one JSON line: {"path", "ok", "msg", "line", "col"}. `ok` is true when
`compile(source_bytes, path, "exec", dont_inherit=True)` succeeds. Otherwise `msg` is the
SyntaxError's message (for other exceptions, "Type: message") and `line`/`col` are its
lineno/offset (None when CPython gives none). Warnings are ignored, as a normal import
would not fail on them. Each line is flushed at once, so that a caller can tell which
file crashed the interpreter, should one ever do so.

Compatible with Python 3.7+.
"""

import json
import sys
import warnings


def verdict(path):
    with open(path, "rb") as handle:
        source = handle.read()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        # Also IndentationError and TabError, its subclasses.
        return {
            "path": path,
            "ok": False,
            "msg": error.msg,
            "line": error.lineno,
            "col": error.offset,
        }
    except ValueError as error:
        # For example, null bytes in the source (3.7-3.11).
        return {
            "path": path,
            "ok": False,
            "msg": "%s: %s" % (type(error).__name__, error),
            "line": None,
            "col": None,
        }
    except (RecursionError, MemoryError) as error:
        # Pathologically nested input: not a verdict on the program's async rules.
        return {
            "path": path,
            "ok": False,
            "msg": "%s: %s" % (type(error).__name__, error),
            "line": None,
            "col": None,
        }
    return {"path": path, "ok": True, "msg": None, "line": None, "col": None}


def paths(argv):
    for arg in argv:
        if arg == "-":
            for line in sys.stdin:
                line = line.rstrip("\r\n")
                if line:
                    yield line
        else:
            yield arg


def main():
    out = sys.stdout
    for path in paths(sys.argv[1:]):
        out.write(json.dumps(verdict(path)) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
