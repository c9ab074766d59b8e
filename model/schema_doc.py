"""docs/scenario-schema.md from the scenario schema (written by `python -m model.generated_docs`)."""

from __future__ import annotations

from typing import Any

from model.schema import Scenario


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return f"[{prop['$ref'].split('/')[-1]}](#{prop['$ref'].split('/')[-1].lower()})"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "oneOf" in prop:  # a table whose `kind` (or `design`) picks one of these variants
        return "one of " + ", ".join(_type(p) for p in prop["oneOf"])
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    t = prop.get("type", "any")
    if t == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if t == "object" and "additionalProperties" in prop:
        return f"table of {_type(prop['additionalProperties'])}"
    return str(t)


def _rules(prop: dict[str, Any]) -> str:
    parts = []
    for key, sym in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in prop:
            parts.append(f"{sym} {prop[key]}")
    for key, label in (("minItems", "items ≥"), ("maxItems", "items ≤")):
        if key in prop:
            parts.append(f"{label} {prop[key]}")
    return ", ".join(parts)


def render() -> str:
    """The markdown text."""
    schema = Scenario.model_json_schema()
    defs = schema.pop("$defs", {})
    out = [
        "# Scenario schema",
        "",
        "Generated from `model/schema.py` by `python -m model.generated_docs`; do not edit by hand.",
        "A scenario is a TOML file with the tables below. Tables marked *sourced* need a `source`",
        "(citation) or an `assumption` (labelled placeholder). Unknown fields are errors. A file may also",
        "hold a `[levers]` table of lever ids (or scenario paths) = values, applied before validation",
        "(`docs/levers.md`).",
        "",
    ]
    for name, sch in [("Scenario", schema), *sorted(defs.items())]:
        sourced = "source" in sch.get("properties", {}) and "assumption" in sch.get("properties", {})
        out += [f"## {name}" + (" (sourced)" if sourced else ""), "", (sch.get("description") or "").strip(), ""]
        if "properties" not in sch:
            continue
        required = set(sch.get("required", []))
        out += ["| field | type | required | default | rules | meaning |", "|---|---|---|---|---|---|"]
        for field, prop in sch["properties"].items():
            default = "" if "default" not in prop else f"`{prop['default']}`"
            desc = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
            typ = _type(prop)
            rules = _rules(prop) or " ".join(_rules(p) for p in prop.get("anyOf", []) if _rules(p))
            out.append(f"| `{field}` | {typ} | {'yes' if field in required else ''} | {default} | {rules} | {desc} |")
        out.append("")
    return "\n".join(out)
