"""The check of a data file's plain values against the model, by pydantic-core's validator made
from the schema pydantic generates for the model, which ships with briefing
(``assets/core-schema.json``, written at development time by ``tools/core_schema.py``).

pydantic takes 60–70 ms a process to import and to generate that schema from the model's
annotations (``data.rules``); the check itself takes half a millisecond, and building the
validator from the generated schema one. The schema is pydantic's, unchanged but for what
only serializing or JSON Schema reads (``metadata``, ``serialization``): the same validator,
the same errors. pydantic is imported only where the shipped file does not fit (another
pydantic-core than the one that generated it), to word the messages of a file that fails
(``rules.problems``), and for the editors' JSON Schema.

In the shipped file, the few Python objects the schema holds are named (``{"$py": "module:name"}``):
the model's classes, the value checks of ``data.values``, the ``list`` that makes empty
lists. Only those are ever looked up.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from ..shipped import asset_dir

if TYPE_CHECKING:
    from .model import Briefing

SHIPPED = "core-schema.json"
DROPPED = ("metadata", "serialization")  # read by pydantic's serializer and JSON Schema, never by validation
REF = "$py"
REFS = ("ref", "schema_ref")  # a definition's name, and a use of it

Loc = tuple[Any, ...]


def _named() -> dict[str, object]:
    """Every object the shipped schema may name, by its name there."""
    from . import model, values

    named: dict[str, object] = {"builtins:list": list}
    # type(obj), not isinstance: the model's deferred ``rules`` module would load (pydantic) if asked its class
    named.update({f"{model.__name__}:{name}": obj for name, obj in vars(model).items()
                  if type(obj) is type and "__dataclass_fields__" in vars(obj) and obj.__module__ == model.__name__})
    named.update({f"{values.__name__}:{name}": getattr(values, name) for name in values.__all__})
    return named


def encode(schema: Any, names: dict[int, str]) -> Any:
    """pydantic's core schema as JSON-ready data: the objects of ``names`` (by ``id``) named,
    what validation never reads dropped, and each definition's name without the class's
    ``id`` that pydantic adds (the same in every process); ``ValueError`` for any other object."""
    if isinstance(schema, dict):
        return {k: _stable(v) if k in REFS else encode(v, names) for k, v in schema.items() if k not in DROPPED}
    if isinstance(schema, (list, tuple)):
        return [encode(v, names) for v in schema]
    if schema is None or isinstance(schema, (str, int, float, bool)):
        return schema
    if id(schema) in names:
        return {REF: names[id(schema)]}
    raise ValueError(f"the core schema holds {schema!r}, which the shipped schema cannot name")


def _stable(ref: Any) -> Any:
    """``briefing.data.model.Metric:94666589536096`` → ``briefing.data.model.Metric``: the
    model's class names are unique, the ids change with every process."""
    if not isinstance(ref, str):
        raise ValueError(f"a definition named by {ref!r}")
    name, _, number = ref.rpartition(":")
    return name if name and number.isdigit() else ref


def decode(data: Any, named: dict[str, object]) -> Any:
    """The inverse of ``encode``: ``KeyError`` for a name that is not one of ``named``."""
    if isinstance(data, dict):
        if len(data) == 1 and REF in data:
            return named[data[REF]]
        return {k: decode(v, named) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v, named) for v in data]
    return data


def shipped_text() -> str:
    """The shipped file as pydantic generates it now (``tools/core_schema.py`` writes it; a test
    says when the committed one is stale)."""
    import pydantic_core

    from . import rules
    from .model import Briefing

    names = {id(obj): name for name, obj in _named().items()}
    data = {"pydantic_core": pydantic_core.__version__, "schema": encode(rules.core_schema(Briefing), names)}
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _from_shipped():
    """The validator made from the shipped schema, or None where it does not fit: a missing or
    unreadable file, another pydantic-core, a name it does not know, a schema it refuses."""
    import pydantic_core

    try:
        data = json.loads((asset_dir() / SHIPPED).read_text(encoding="utf-8"))
        if data["pydantic_core"] != pydantic_core.__version__:
            return None
        return pydantic_core.SchemaValidator(decode(data["schema"], _named()))
    except (OSError, ValueError, KeyError, TypeError, pydantic_core.SchemaError):
        return None


@functools.cache
def validator():
    """The validator of a whole data file, made once a process: from the shipped schema, else
    by pydantic (``rules``)."""
    shipped = _from_shipped()
    if shipped is not None:
        return shipped
    from . import rules
    from .model import Briefing

    return rules.validator(Briefing)


def prepare() -> None:
    """Make the validator now (a finishing worker, before the values come: ``check`` is then
    only the check itself, a millisecond)."""
    validator()


def check(data: Any) -> tuple[Briefing | None, list[tuple[Loc, str]]]:
    """A whole data file's plain values (``load.parse_yaml``) as a ``Briefing``, or None and
    every problem found, each at its place in the file (``loc``) in a user's words."""
    from pydantic_core import ValidationError

    try:
        return validator().validate_python(data), []
    except ValidationError as exc:
        from .rules import problems

        return None, problems(exc)
