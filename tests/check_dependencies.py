#!/usr/bin/env python3
"""Library links follow docs/architecture.md: configures the project into a scratch folder, reads CMake's
dependency graph (--graphviz) and fails on any link of one of our libraries that the table does not allow."""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile


def block(doc: pathlib.Path, name: str):
    text = doc.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}: begin -->\s*```(.*?)```\s*<!-- {name}: end -->", text, re.S)
    if not m:
        sys.exit(f"{doc}: no {name} block")
    return m


def never_links(doc: pathlib.Path):
    """target -> what it must not reach through any chain of links."""
    table = {}
    for line in block(doc, "never-links").group(1).strip().splitlines():
        target, _, rest = line.partition(":")
        table[target.strip()] = set(rest.split())
    return table


def reachable(links, start):
    out, todo = set(), [start]
    while todo:
        node = todo.pop()
        for frm, to in links:
            if frm == node and to not in out:
                out.add(to)
                todo.append(to)
    return out


def allowed_links(doc: pathlib.Path):
    m = block(doc, "allowed-links")
    table = {}
    for line in m.group(1).strip().splitlines():
        target, _, rest = line.partition(":")
        ours, _, theirs = rest.partition("|")
        table[target.strip()] = (set(ours.split()), set(theirs.split()))
    return table


def graph(source: pathlib.Path):
    with tempfile.TemporaryDirectory() as scratch:
        dot = pathlib.Path(scratch) / "deps.dot"
        run = subprocess.run(["cmake", "-S", str(source), "-B", str(pathlib.Path(scratch) / "build"), "-G", "Ninja",
                              "-DBUILD_TESTING=OFF", f"--graphviz={dot}"], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit("cmake could not configure the project:\n" + run.stdout + run.stderr)
        names, edges = {}, []
        for line in dot.read_text(encoding="utf-8").splitlines():
            node = re.match(r'\s*"(node\d+)" \[ label = "([^"]+)"', line)
            if node:
                names[node.group(1)] = node.group(2).replace("\\n", "")
            edge = re.match(r'\s*"(node\d+)" -> "(node\d+)"', line)
            if edge:
                edges.append(edge.groups())
        return [(names[a], names[b]) for a, b in edges if a in names and b in names]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True, type=pathlib.Path)
    args = parser.parse_args()
    table = allowed_links(args.source / "docs" / "architecture.md")
    links = graph(args.source)
    problems = []
    seen = set()
    for frm, to in links:
        if not frm.startswith("minyi") or to == "minyi_warnings":
            continue
        seen.add(frm)
        ours, theirs = table.get(frm, (set(), set()))
        if frm not in table:
            problems.append(f"{frm} is not in the table of docs/architecture.md")
        elif to.startswith("minyi"):
            if to not in ours:
                problems.append(f"{frm} links {to}, which docs/architecture.md does not allow")
        elif to not in theirs and not to.startswith(("-", "/")):
            problems.append(f"{frm} links the package {to}, which docs/architecture.md does not allow")
    for target, never in never_links(args.source / "docs" / "architecture.md").items():
        if target not in seen:
            problems.append(f"{target} has a never-links line in docs/architecture.md but CMake builds no such target")
        for bad in sorted(reachable(links, target) & never):
            problems.append(f"{target} reaches {bad} through its links, which docs/architecture.md forbids")
    for target in table:
        if target not in seen:
            problems.append(f"{target} is in docs/architecture.md but CMake builds no such target")
    for p in sorted(set(problems)):
        print(p)
    print(f"checked {len(seen)} targets, {sum(1 for f, _ in links if f.startswith('minyi'))} links")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
