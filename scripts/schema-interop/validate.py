#!/usr/bin/env python3
"""Validate JSON Lines items against schemas/item.schema.json with Python's `jsonschema`.

Prints one line per input line: LINE<TAB>VERDICT[<TAB>FIRST ERROR], VERDICT being `accept`,
`reject` or `not-json` (text that is not strict JSON: NaN/Infinity tokens, 1e400, duplicate keys,
integers beyond 64 bits, which the Rust reader rejects before any rule), then a summary on stderr.

    pip install jsonschema            # tested with 4.26.0
    python scripts/schema-interop/validate.py examples/mistakes.jsonl
    python scripts/schema-interop/validate.py crates/nucleus-testdata/data/sdk_corpus.jsonl --field input

CI runs it through crosscheck.py, which compares its verdicts with ajv and the Rust side.
"""

import argparse
import json
import math
import pathlib
import sys

from jsonschema import Draft202012Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]


def strict_loads(text):
    """json.loads, but rejecting what the Rust reader rejects as not JSON."""

    def no_constants(name):
        raise ValueError(f"{name} is not JSON")

    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def check_int(token):
        value = int(token)
        if not -(2**63) <= value < 2**64:
            raise ValueError("integer beyond 64 bits")
        return value

    def check_float(token):
        value = float(token)
        if math.isinf(value):
            raise ValueError("number out of range")
        return value

    return json.loads(
        text,
        parse_constant=no_constants,
        object_pairs_hook=no_duplicates,
        parse_int=check_int,
        parse_float=check_float,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--field", help="validate the string in this field of each line")
    parser.add_argument("--schema", default=str(ROOT / "schemas" / "item.schema.json"))
    args = parser.parse_args()

    schema = json.loads(pathlib.Path(args.schema).read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)

    counts = {"accept": 0, "reject": 0, "not-json": 0}
    for number, line in enumerate(pathlib.Path(args.file).read_text().splitlines(), 1):
        text = json.loads(line)[args.field] if args.field else line
        try:
            value = strict_loads(text)
        except ValueError:
            counts["not-json"] += 1
            print(f"{number}\tnot-json")
            continue
        errors = sorted(validator.iter_errors(value), key=lambda e: e.json_path)
        if errors:
            counts["reject"] += 1
            first = errors[0]
            pointer = "".join(f"/{part}" for part in first.absolute_path)
            print(f"{number}\treject\t{pointer or '(root)'}: {first.message[:120]}")
        else:
            counts["accept"] += 1
            print(f"{number}\taccept")
    print(
        f"python jsonschema: {counts['accept']} accepted, {counts['reject']} rejected, "
        f"{counts['not-json']} not JSON",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
