#!/usr/bin/env python3
"""Turns the published annotation and prediction schemas into Pydantic models with
datamodel-code-generator, and holds the models to the Rust reader on the examples.

- schemas/annotation.schema.json and schemas/prediction.schema.json are generated into Python
  modules (pydantic v2) by `datamodel-codegen`, which must not fail;
- every line of the example annotation and prediction files (which `nucleus check` accepts)
  validates against the model of its `type`;
- every line of the mistakes files whose mistake JSON Schema can express (the codes in
  EXPRESSIBLE, as `nucleus check --annotations --format json` reports them) is rejected.

Known gap, printed: the union schemas pick a type's schema with `if`/`then` on `type`, which
datamodel-code-generator turns into a model of `type` alone (NucleusAnnotation,
NucleusPrediction); the per-type models ($defs) are complete, so a line is validated against
the model its `type` names, as the union does.

    python3 scripts/schema-interop/pydantic_models.py      # needs python3 with venv, PyPI

datamodel-code-generator goes into target/interop-dmcg-venv, at the version pinned below.
"""

import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
GENERATOR = "datamodel-code-generator==0.103.0"
# Lines validate as JSON in strict mode: in lax mode pydantic turns "10" into 10.0, which the
# schema (and the SDK's upload) do not.
STRICT = True
# Reader codes whose mistake JSON Schema can express: such lines must be rejected.
EXPRESSIBLE = {
    "invalid-label", "invalid-annotation-field", "degenerate-geometry", "invalid-geometry",
    "metadata-not-an-object", "missing-reference-id", "invalid-confidence",
}
# Per role: the example files `nucleus check` accepts, the mistakes file, the model prefix.
ROLES = {
    "annotation": (
        ["examples/annotations/items.jsonl", "examples/annotations/scene.jsonl", "examples/scene/cuboids.jsonl"],
        "examples/annotations/mistakes.jsonl",
        "Annotation",
    ),
    "prediction": (
        ["examples/annotations/predictions.jsonl"],
        "examples/annotations/prediction-mistakes.jsonl",
        "Prediction",
    ),
}
CLASS_OF_TYPE = {
    "box": "Box", "line": "Line", "polygon": "Polygon", "keypoints": "Keypoints",
    "cuboid": "Cuboid", "category": "Category", "multicategory": "MultiCategory",
    "mask": "Segmentation", "segmentation": "Segmentation", None: "Segmentation",
}


def target_dir():
    return pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def venv_with_generator():
    venv = target_dir() / "interop-dmcg-venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdin=subprocess.DEVNULL)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", GENERATOR],
                   check=True, stdin=subprocess.DEVNULL)
    return venv


def nucleus_cli():
    path = os.environ.get("NUCLEUS_CLI")
    if path:
        return [path]
    return ["cargo", "run", "--quiet", "-p", "nucleus-cli", "--"]


def codes_per_line(role, path):
    """{line: set of codes} of `nucleus check --annotations/--predictions PATH --format json`."""
    run = subprocess.run([*nucleus_cli(), "check", "--format", "json", f"--{role}s", str(ROOT / path)],
                         cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    codes = {}
    for line in run.stdout.splitlines():
        record = json.loads(line)
        if "code" in record and record["severity"] == "error":
            codes.setdefault(record["line"], set()).add(record["code"])
    return codes


def main():
    venv = venv_with_generator()
    # The checker runs the models: they need pydantic, which the generator installed.
    if os.environ.get("NUCLEUS_DMCG_CHILD") != "1":
        env = dict(os.environ, NUCLEUS_DMCG_CHILD="1")
        sys.exit(subprocess.run([str(venv / "bin" / "python"), __file__], env=env, stdin=subprocess.DEVNULL).returncode)
    import pydantic

    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for role, (good_files, mistakes, suffix) in ROLES.items():
            schema = ROOT / "schemas" / f"{role}.schema.json"
            module_path = pathlib.Path(tmp) / f"{role}_models.py"
            subprocess.run([str(venv / "bin" / "datamodel-codegen"), "--input", str(schema), "--input-file-type", "jsonschema",
                            "--output", str(module_path), "--output-model-type", "pydantic_v2.BaseModel"],
                           check=True, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            spec = importlib.util.spec_from_file_location(f"{role}_models", module_path)
            models = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = models
            spec.loader.exec_module(models)

            def model_of(value):
                return getattr(models, CLASS_OF_TYPE.get(value.get("type"), "Segmentation") + suffix)

            n_good = 0
            for path in good_files:
                for number, line in enumerate((ROOT / path).read_text(encoding="utf-8").splitlines(), start=1):
                    value = json.loads(line)
                    try:
                        model_of(value).model_validate_json(line, strict=STRICT)
                        n_good += 1
                    except pydantic.ValidationError as error:
                        failures.append(f"{path}:{number}: accepted by nucleus check, rejected by the model: {error}")
            n_rejected = 0
            for number, codes in sorted(codes_per_line(role, mistakes).items()):
                if not codes & EXPRESSIBLE:
                    continue
                text = (ROOT / mistakes).read_text(encoding="utf-8").splitlines()[number - 1]
                value = json.loads(text)
                if value.get("type") not in CLASS_OF_TYPE:
                    continue
                try:
                    model_of(value).model_validate_json(text, strict=STRICT)
                    failures.append(f"{mistakes}:{number}: {sorted(codes)} in nucleus check, accepted by the model")
                except pydantic.ValidationError:
                    n_rejected += 1
            print(f"{role}: {n_good} example lines valid, {n_rejected} mistakes rejected by the generated models")
            if n_good == 0 or n_rejected == 0:
                failures.append(f"{role}: nothing was checked")
    print("known gap: the if/then union becomes a model of `type` alone; lines are validated against their type's model")
    for failure in failures:
        print("FAIL", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
