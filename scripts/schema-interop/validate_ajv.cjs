#!/usr/bin/env node
// Validate JSON Lines items against schemas/item.schema.json with ajv (Ajv2020, strict mode).
//
// Prints one line per input line: LINE<TAB>VERDICT[<TAB>FIRST ERROR], VERDICT being `accept`,
// `reject` or `not-json` (JSON.parse fails, or a number is beyond 2^53 and so not exact in
// JavaScript, or NaN/1e400), then a summary on stderr.
//
//   npm install --prefix /some/dir ajv            # tested with ajv 8.20.0
//   NODE_PATH=/some/dir/node_modules node scripts/schema-interop/validate_ajv.cjs examples/mistakes.jsonl
//   NODE_PATH=... node scripts/schema-interop/validate_ajv.cjs crates/nucleus-testdata/data/sdk_corpus.jsonl --field input
//
// CI runs it through crosscheck.py, which compares its verdicts with Python and the Rust side.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;

const root = path.resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const file = args[0];
const fieldIdx = args.indexOf("--field");
const field = fieldIdx >= 0 ? args[fieldIdx + 1] : null;
const schemaIdx = args.indexOf("--schema");
const schemaPath = schemaIdx >= 0 ? args[schemaIdx + 1] : path.join(root, "schemas", "item.schema.json");

const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
// strict: true turns unknown keywords and formats into compile errors; allErrors to list all.
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

const counts = { accept: 0, reject: 0, "not-json": 0 };
const lines = fs.readFileSync(file, "utf8").split("\n").filter((line) => line.length > 0);
lines.forEach((line, idx) => {
  const number = idx + 1;
  const text = field ? JSON.parse(line)[field] : line;
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    counts["not-json"] += 1;
    console.log(`${number}\tnot-json`);
    return;
  }
  if (validate(value)) {
    counts.accept += 1;
    console.log(`${number}\taccept`);
  } else {
    counts.reject += 1;
    const first = validate.errors[0];
    console.log(`${number}\treject\t${first.instancePath || "(root)"}: ${first.message}`);
  }
});
console.error(
  `ajv ${require("ajv/package.json").version}: ${counts.accept} accepted, ${counts.reject} rejected, ${counts["not-json"]} not JSON`
);
