"""YAML for files people edit by hand, read so that no file can crash or hang the reader.

PyYAML's own loaders recurse once per nesting level, expand aliases without limit ("billion
laughs"), accept merge keys and raise plain Python errors (an impossible date, a list used as a
key). This reader builds the data from PyYAML's event stream instead, which is iterative, and
checks as it goes: the text's size, the nesting depth, the number of values including those an
alias repeats, tags, keys and scalar values. The first problem stops the reading and is
returned with its line; duplicate keys are reported and reading goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Location = tuple[str | int, ...]

MAX_CHARS = 512 * 1024  # the longest guide is ~9 KB; a console document is capped likewise
MAX_DEPTH = 32  # a flow nests 5 levels (steps > step > buttons > button > field)
MAX_NODES = 50_000  # values, counting every copy an alias makes

_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}"
                         for name in ("null", "bool", "int", "float", "str", "timestamp"))
_MAP_TAG, _SEQ_TAG = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_KINDS = {"tag:yaml.org,2002:timestamp": "date", "tag:yaml.org,2002:int": "number",
          "tag:yaml.org,2002:float": "number"}


class YamlProblem(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class YamlDocument:
    """The data, the line of each value by location, and non-fatal problems (duplicate keys)."""

    data: Any
    lines: dict[Location, int] = field(default_factory=dict)
    warnings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Open:
    """A mapping or sequence being read."""

    value: dict[Any, Any] | list[Any]
    loc: Location
    anchor: str | None
    nodes: int = 1
    key: Any = None
    has_key: bool = False


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark else 1


class _Reader:
    def __init__(self) -> None:
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.nodes = 0
        self.doc = YamlDocument(None)
        self.documents = 0
        self._scalars = yaml.SafeLoader("")

    def _count(self, nodes: int, event: yaml.Event) -> None:
        self.nodes += nodes
        if self.nodes > MAX_NODES:
            raise YamlProblem(_line(event), f"too many values (over {MAX_NODES}); aliases "
                                            "that repeat large parts are not allowed")

    def _child_loc(self) -> Location | None:
        """Where the next value goes; None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.loc, len(top.value))
        return (*top.loc, top.key) if top.has_key else None

    def _place(self, value: Any, nodes: int, event: yaml.Event) -> None:
        if not self.stack:
            self.doc.data = value
            return
        top = self.stack[-1]
        top.nodes += nodes
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.has_key:
            top.value[top.key] = value
            top.has_key = False
        else:
            if isinstance(value, dict | list):
                raise YamlProblem(_line(event), "a key must be plain text, not a list or "
                                                "a mapping")
            if value in top.value:
                self.doc.warnings.append((_line(event), f"duplicate key `{value}`"))
            top.key, top.has_key = value, True

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._scalars.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit)
        if tag == _MERGE_TAG:
            raise YamlProblem(_line(event), "merge keys (`<<`) are not supported: write the "
                                            "fields out")
        if tag not in _SCALAR_TAGS:
            raise YamlProblem(_line(event), f"unknown tag `{event.tag}`")
        node = yaml.ScalarNode(tag, event.value, style=event.style)
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlProblem(_line(event), f"`{event.value[:40]}` is not a valid "
                                            f"{_KINDS.get(tag, tag)}: {exc}") from None

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.ScalarEvent):
            self._count(1, event)
            loc = self._child_loc()
            if loc is not None:
                self.doc.lines[loc] = _line(event)
            value = self._scalar(event)
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            self._place(value, 1, event)
        elif isinstance(event, yaml.CollectionStartEvent):
            self._start(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            done = self.stack.pop()
            if done.has_key:
                raise YamlProblem(_line(event), "a key without a value")
            if done.anchor:
                self.open_anchors.discard(done.anchor)
                self.anchors[done.anchor] = (done.value, done.nodes)
            self._place(done.value, done.nodes, event)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            if self.documents:
                raise YamlProblem(_line(event), "only one document per file")
            self.documents += 1

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        mapping = isinstance(event, yaml.MappingStartEvent)
        if event.tag not in (None, "!", _MAP_TAG if mapping else _SEQ_TAG):
            raise YamlProblem(_line(event), f"unknown tag `{event.tag}`")
        loc = self._child_loc()
        if loc is None:
            raise YamlProblem(_line(event), "a key must be plain text, not a list or a mapping")
        if len(self.stack) >= MAX_DEPTH:
            raise YamlProblem(_line(event), f"nested more than {MAX_DEPTH} levels deep")
        self._count(1, event)
        self.doc.lines[loc] = _line(event)
        if event.anchor:
            self.open_anchors.add(event.anchor)
        self.stack.append(_Open({} if mapping else [], loc, event.anchor))

    def _alias(self, event: yaml.AliasEvent) -> None:
        name = event.anchor or ""
        if name in self.open_anchors:
            raise YamlProblem(_line(event), f"alias `*{name}` refers to itself")
        if name not in self.anchors:
            raise YamlProblem(_line(event), f"alias `*{name}` has no anchor `&{name}` before it")
        value, nodes = self.anchors[name]
        self._count(nodes, event)
        loc = self._child_loc()
        if loc is not None:
            self.doc.lines[loc] = _line(event)
        self._place(value, nodes, event)


def read_yaml(text: str) -> YamlDocument:
    """Read one YAML document; raises :class:`YamlProblem` (with a line) on the first problem
    that makes the text unusable."""
    if len(text) > MAX_CHARS:
        raise YamlProblem(1, f"the file is too large (at most {MAX_CHARS // 1024} KiB)")
    reader = _Reader()
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            reader.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else 1, f"YAML syntax: {exc.problem or exc}"
                          ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(1, f"YAML syntax: {exc}") from None
    return reader.doc
