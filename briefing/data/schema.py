"""The data file's JSON Schema, generated from the model so the two can never disagree.

Editors use it (VS Code YAML reads the ``# yaml-language-server: $schema=…`` line at the top
of each data file) to complete field names and flag mistakes while the office types.
"""

from __future__ import annotations

import json

from .rules import json_schema as model_schema

SCHEMA_PATH = "schema/briefing.schema.json"


def json_schema() -> dict:
    schema = model_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://briefing.invalid/schema/briefing.schema.json",
        "title": "briefing 两会参阅资料数据文件",
        "description": "One district's two sessions for one year: last year's results (answers) and "
                       "this year's plan (paths). See docs/data-format.md.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
