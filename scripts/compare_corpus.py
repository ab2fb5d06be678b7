#!/usr/bin/env python3
"""Compare asynclint's findings on a tree with ruff's and flake8-async's.

Usage: scripts/compare_corpus.py [--dir DIR]... [--shown N] ASYNCLINT.txt RUFF.txt [FLAKE8.txt]

Each file is one tool's `path:row:col: CODE message` output (asynclint and ruff with
`--output-format concise`, flake8 with its default format), produced in the same directory
(a leading `./` is ignored). Checks with the same meaning are compared line by line, by
family (asynclint splits what ruff calls ASYNC240 into ASYNC240 for `os.path` and AL141 for
`pathlib`; ruff's RUF006 is our ASYNC300; ruff's `invalid-syntax` is our AL000). For each
family the script prints how many diagnostics and distinct lines each tool has, how many
lines are shared, and the lines only one tool has (the first N, default 12; `--shown 0`
prints all), for a person to explain. Codes that belong to no family are counted at the end,
so that nothing is dropped silently.

`--dir DIR` (repeatable) keeps only findings in files under DIR, for all tools: use it with
the directories flake8 was run on, since flake8-async is too slow for the whole corpus.
"""

import argparse
import collections
import re

LINE = re.compile(r"(?:\./)?(.+?):(\d+):(\d+): ([A-Za-z][\w-]*):? ")

# family: (asynclint codes, ruff codes, flake8-async codes)
FAMILIES = {
    "syntax error": (["AL000"], ["invalid-syntax"], ["E999"]),
    "open() in async def": (["ASYNC230"], ["ASYNC230"], ["ASYNC230"]),
    "os.fdopen etc.": (["ASYNC231"], ["ASYNC231"], ["ASYNC231"]),
    "file object methods": (["ASYNC232"], [], ["ASYNC232", "ASYNC232_asyncio"]),
    "os.path / pathlib": (["ASYNC240", "AL141"], ["ASYNC240"], ["ASYNC240", "ASYNC240_asyncio"]),
    "time.sleep": (["ASYNC251"], ["ASYNC251"], ["ASYNC251"]),
    "input()": (["ASYNC250"], ["ASYNC250"], ["ASYNC250"]),
    "HTTP calls": (["ASYNC210", "ASYNC212"], ["ASYNC210", "ASYNC212"], ["ASYNC210", "ASYNC212"]),
    "subprocesses": (
        ["ASYNC220", "ASYNC221", "ASYNC222"],
        ["ASYNC220", "ASYNC221", "ASYNC222"],
        ["ASYNC220", "ASYNC221", "ASYNC222", "ASYNC220_asyncio", "ASYNC221_asyncio"],
    ),
    "dropped task": (["ASYNC300"], ["RUF006"], ["ASYNC300"]),
    "timeout without checkpoint": (["ASYNC100"], ["ASYNC100"], ["ASYNC100"]),
}
# Checks with the same code in all three tools (off by default in asynclint; ruff has some).
for code in ["ASYNC101", "ASYNC102", "ASYNC103", "ASYNC104", "ASYNC105", "ASYNC109",
             "ASYNC110", "ASYNC111", "ASYNC112", "ASYNC113", "ASYNC115", "ASYNC116",
             "ASYNC119", "ASYNC120", "ASYNC121", "ASYNC122", "ASYNC123", "ASYNC124",
             "ASYNC125", "ASYNC211", "ASYNC900", "ASYNC910", "ASYNC911", "ASYNC912",
             "ASYNC913"]:
    FAMILIES[code] = ([code], [code], [code])


def load(path, dirs):
    found = collections.defaultdict(list)
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = LINE.match(line)
            if not match:
                continue
            file, row, code = match.group(1), int(match.group(2)), match.group(4)
            if dirs and not any(file == d or file.startswith(d + "/") for d in dirs):
                continue
            # Columns differ between tools for the same call (ruff and asynclint point at
            # the call, flake8 sometimes at the function name): compare by line.
            found[code].append((file, row))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", action="append", default=[], dest="dirs", metavar="DIR",
                        help="keep only findings under DIR (repeatable)")
    parser.add_argument("--shown", type=int, default=12, metavar="N",
                        help="lines shown per difference (0: all; default 12)")
    parser.add_argument("outputs", nargs="+", metavar="OUTPUT",
                        help="asynclint, ruff and optionally flake8 output, in that order")
    args = parser.parse_args()
    if len(args.outputs) not in (2, 3):
        parser.error("give two or three output files")
    dirs = [d.rstrip("/").removeprefix("./") for d in args.dirs]
    names = ["asynclint", "ruff", "flake8-async"]
    tools = [(name, load(path, dirs)) for name, path in zip(names, args.outputs)]
    shown = args.shown or None
    used = [set() for _ in tools]
    for family, codes in FAMILIES.items():
        sets = []
        for index, ((name, found), wanted) in enumerate(zip(tools, codes)):
            used[index].update(wanted)
            count = sum(len(found[code]) for code in wanted)
            lines = {x for code in wanted for x in found[code]}
            sets.append((name, wanted, count, lines))
        if not any(count for _, _, count, _ in sets):
            continue
        print(f"== {family}")
        for name, wanted, count, lines in sets:
            print(f"   {name:13} {count:5} diagnostics {len(lines):5} lines"
                  f"  ({', '.join(wanted) or 'no such check'})")
        ours = sets[0][3]
        for name, wanted, _, theirs in sets[1:]:
            if not wanted:
                continue
            print(f"   {name}: shared {len(ours & theirs)}, only asynclint {len(ours - theirs)},"
                  f" only {name} {len(theirs - ours)}")
            for file, row in sorted(ours - theirs)[:shown]:
                print(f"     only asynclint  {file}:{row}")
            for file, row in sorted(theirs - ours)[:shown]:
                print(f"     only {name:10} {file}:{row}")
    print("== codes in no family")
    for (name, found), known in zip(tools, used):
        others = {code: len(found[code]) for code in sorted(found) if code not in known}
        print(f"   {name:13} " + (", ".join(f"{c} {n}" for c, n in others.items()) or "none"))


if __name__ == "__main__":
    main()
