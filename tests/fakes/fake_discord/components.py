"""Message components: walking them, numbering them as Discord stores them, and mirroring a
modal's inputs the way Discord sends them back on submit."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence

from tests.fakes.fake_discord.models import JSON, OptionType, OptionValue

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
TEXT_INPUT = 4
ACTION_ROW = 1
LABEL = 18


def child_components(component: JSON) -> list[JSON]:
    children = list(component.get("components") or [])
    for key in ("component", "accessory"):
        if isinstance(component.get(key), dict):
            children.append(component[key])
    return children


def walk_components(components: Iterable[JSON]) -> Iterator[JSON]:
    for component in components:
        yield component
        yield from walk_components(child_components(component))


def with_component_ids(components: Sequence[JSON]) -> list[JSON]:
    """A copy with numeric ``id``s filled in depth first, as Discord does when it stores them."""
    if not components:
        return []
    result = copy.deepcopy(list(components))
    used = {c["id"] for c in walk_components(result) if isinstance(c.get("id"), int)}
    counter = itertools.count(1)
    for component in walk_components(result):
        if component.get("id") is None:
            new_id = next(counter)
            while new_id in used:
                new_id = next(counter)
            component["id"] = new_id
            used.add(new_id)
    return result


def find_component(components: Iterable[JSON], custom_id: str) -> JSON | None:
    return next((c for c in walk_components(components) if c.get("custom_id") == custom_id), None)


def submitted_component(component: JSON, values: Mapping[str, str | Sequence[str]]) -> JSON:
    """Mirror one modal component as Discord sends it back on submit (type 5 interaction)."""
    kind = component["type"]
    answer: JSON = {"type": kind, "id": component.get("id")}
    if kind == ACTION_ROW:
        answer["components"] = [submitted_component(c, values) for c in component["components"]]
    elif kind == LABEL:
        answer["component"] = submitted_component(component["component"], values)
    elif kind == TEXT_INPUT:
        custom_id = component["custom_id"]
        value = values.get(custom_id, component.get("value"))
        if value is None and component.get("required", True):
            raise ValueError(f"modal text input {custom_id!r} is required; give it a value")
        answer.update(custom_id=custom_id, value=str(value or ""))
    elif kind in SELECT_TYPES:
        answer.update(
            custom_id=component["custom_id"], values=list(values.get(component["custom_id"], []))
        )
    elif "custom_id" in component:
        answer["custom_id"] = component["custom_id"]
    return answer


def label_wrapped_inputs(values: Mapping[str, str | Sequence[str]]) -> list[JSON]:
    """The submit structure of a discord.py 2.7 modal whose inputs are each in a ``ui.Label``."""
    components: list[JSON] = []
    for index, (custom_id, value) in enumerate(values.items()):
        inner: JSON = {"type": TEXT_INPUT, "id": 2 * index + 2, "custom_id": custom_id}
        if isinstance(value, str):
            inner["value"] = value
        else:
            inner.update(type=3, values=list(value))
        components.append({"type": LABEL, "id": 2 * index + 1, "component": inner})
    return components


def infer_option_type(value: OptionValue) -> OptionType:
    # bool first: it is an int subclass
    if isinstance(value, bool):
        return OptionType.BOOLEAN
    if isinstance(value, int):
        return OptionType.INTEGER
    if isinstance(value, float):
        return OptionType.NUMBER
    if isinstance(value, str):
        return OptionType.STRING
    raise TypeError(f"cannot infer a Discord option type for {value!r}; pass raw option dicts")
