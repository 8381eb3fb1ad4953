#!/usr/bin/env python3
"""Cross-checks the published item schema in three validators and against `nucleus check`, and
writes README.md's "Cross-checked" table from the result.

For each input it runs, line by line:
- the Rust side: `cargo run -p nucleus-schema --example verdicts` (the `jsonschema` crate's
  verdict on schemas/item.schema.json, and the verdict of the item rules `nucleus check` runs);
- Python's `jsonschema` (validate.py) and ajv in strict mode (validate_ajv.cjs).

It fails when, on a line that is strict JSON, the three schema validators disagree, or the
schema rejects an item that `nucleus check` accepts (the schema may be looser: it cannot say
that `1920.0` is not an integer, so `check` rejecting what the schema accepts is counted).

    python3 scripts/schema-interop/crosscheck.py           # run, print the table
    python3 scripts/schema-interop/crosscheck.py --write   # and rewrite README.md's table
    python3 scripts/schema-interop/crosscheck.py --check   # fail when README.md's table differs (CI)

Needs python3 (with venv) and node with npm: Python's jsonschema goes into target/interop-venv
and ajv into target/interop-node, both from their registries, at the versions pinned below.
"""

import argparse
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent
README = ROOT / "README.md"
JSONSCHEMA = "jsonschema==4.26.0"
AJV = "ajv@8.20.0"
INPUTS = [
    ("`examples/items.jsonl`", "examples/items.jsonl", None),
    ("`examples/mistakes.jsonl`", "examples/mistakes.jsonl", None),
    ("SDK corpus", "crates/nucleus-testdata/data/sdk_corpus.jsonl", "input"),
]
START, END = "<!-- schema-crosscheck -->", "<!-- /schema-crosscheck -->"


def target_dir():
    return pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def python_with_jsonschema():
    venv = target_dir() / "interop-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(stdin=subprocess.DEVNULL, args=[sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(stdin=subprocess.DEVNULL, args=[str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", JSONSCHEMA],
                   check=True)
    return str(python)


def node_path_with_ajv():
    prefix = target_dir() / "interop-node"
    if not (prefix / "node_modules" / "ajv" / "package.json").exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(stdin=subprocess.DEVNULL, args=["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", AJV],
                       check=True)
    return str(prefix / "node_modules")


def verdicts(argv, env=None):
    """{line: verdict} from a validator printing LINE<TAB>VERDICT…; the Rust one prints two."""
    out = subprocess.run(stdin=subprocess.DEVNULL, args=argv, capture_output=True, text=True, check=True, cwd=ROOT, env=env).stdout
    rows = {}
    for line in out.splitlines():
        fields = line.split("\t")
        rows[int(fields[0])] = fields[1:]
    return rows


def crosscheck(python, node_path):
    rows, problems, notes = [], [], []
    for label, path, field in INPUTS:
        extra = ["--field", field] if field else []
        rust = verdicts(["cargo", "run", "--quiet", "-p", "nucleus-schema", "--example", "verdicts", "--", path, *extra])
        py = verdicts([python, str(HERE / "validate.py"), path, *extra])
        ajv = verdicts(["node", str(HERE / "validate_ajv.cjs"), path, *extra],
                       env=dict(os.environ, NODE_PATH=node_path))
        counts = {"accept": 0, "reject": 0, "not-json": 0, "loose": 0}
        loose_examples = []
        ajv_reads = python_reads = 0
        for number, (check, schema) in sorted(rust.items()):
            others = (py[number][0], ajv[number][0])
            if schema == "not-json":
                counts["not-json"] += 1
                # Parsers differ here (nesting depth, duplicate keys, big numbers): counted, not compared.
                ajv_reads += others[1] != "not-json"
                python_reads += others[0] != "not-json"
                continue
            if any(other != schema for other in others):
                problems.append(f"{path}:{number}: schema verdicts differ: Rust {schema}, Python {others[0]}, "
                                f"ajv {others[1]}")
                continue
            if schema == "accept" and check == "reject":
                counts["loose"] += 1
                loose_examples.append(number)
            elif schema == "reject" and check == "accept":
                problems.append(f"{path}:{number}: the schema rejects an item that nucleus check accepts")
            else:
                counts[schema] += 1
        rows.append((label, counts))
        if counts["not-json"]:
            notes.append(f"{label}: of the {counts['not-json']} lines that are not strict JSON, ajv's `JSON.parse` "
                         f"reads {ajv_reads} and Python's strict loader in validate.py {python_reads}")
        if loose_examples:
            notes.append(f"{label}: the schema accepts and `nucleus check` rejects lines "
                         f"{', '.join(map(str, loose_examples[:20]))}{' …' if len(loose_examples) > 20 else ''}")
    return rows, problems, notes


def table(rows, versions, notes):
    # "accepted by all": by the three schema validators and by `nucleus check`.
    lines = ["| input | accepted by all | rejected by all | not strict JSON | schema accepts, `nucleus check` rejects |",
             "|---|---:|---:|---:|---:|"]
    for label, c in rows:
        lines.append(f"| {label} | {c['accept']} | {c['reject']} | {c['not-json']} | {c['loose']} |")
    return ("\n".join(lines) + "\n\n" + "".join(f"- {note}\n" for note in notes)
            + f"\nValidators: {versions}. Written by `python3 scripts/schema-interop/crosscheck.py --write`.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md's table")
    parser.add_argument("--check", action="store_true", help="fail when README.md's table differs")
    args = parser.parse_args()
    python = python_with_jsonschema()
    node_path = node_path_with_ajv()
    rows, problems, notes = crosscheck(python, node_path)
    versions = f"Python jsonschema {JSONSCHEMA.split('==')[1]}, ajv {AJV.split('@')[1]} (strict), the `jsonschema` crate"
    body = table(rows, versions, notes)
    print(body)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        raise SystemExit(f"{len(problems)} disagreements")
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    fresh = f"{head}{START}\n{body}\n{END}{tail}"
    if args.check and fresh != text:
        raise SystemExit("README.md's Cross-checked table is stale: run "
                         "`python3 scripts/schema-interop/crosscheck.py --write`")
    if args.write:
        README.write_text(fresh)


if __name__ == "__main__":
    main()
