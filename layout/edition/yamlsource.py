"""YAML with positions: every value keeps the file, line and column it came from.

PyYAML's plain loaders forget positions and keep the last of two duplicate keys; a
designer needs both errors. We compose the node graph with the safe loader and convert
it ourselves, refusing tags and bounding alias expansion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..base.errors import InputError, Where
from ..base.files import read_input

MAX_NODES = 200_000  # bound on values after alias expansion (an 'alias bomb' exceeds it)
# Bound on the characters of all keys and texts after alias expansion: a few aliases of
# one long text make gigabytes (30,000 × 2,000) without many values. An edition's own
# texts are some ten thousand characters; long ones belong in story files.
MAX_CHARS = 1_000_000
MAX_DEPTH = 100  # nesting levels, of brackets (checked before PyYAML recurses) and of indentation
YAML_HINT = ("indent with spaces, and quote text that starts with { [ * & ! | > or a quote, or holds ': ' "
             "(docs/edition-format.md, YAML notes)")

_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


@dataclass
class Y:
    """One YAML value and where it was written. Mappings hold Y values; `keys` the
    position of each key."""
    value: object
    where: Where
    keys: dict[str, Where] = field(default_factory=dict)
    raw: str | None = None  # a number's text as written (a postal code 0755 is not 493)

    def get(self, key: str):
        return self.value.get(key) if isinstance(self.value, dict) else None


def read_text(path: Path, shown: str) -> str:
    """File text as UTF-8 (a BOM is accepted, CRLF becomes LF)."""
    data = read_input(path, shown)  # a regular file, or an error saying what it is
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", Where(shown, line, column),
                         "save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load(path: Path, shown: str | None = None) -> Y:
    """Parse a YAML file into Y values; errors name file, line and column."""
    shown = shown or str(path)
    return parse(read_text(path, shown), shown)


def parse(text: str, shown: str) -> Y:
    """Parse YAML text read from the file `shown` names."""
    _check_depth(text, shown)
    # LibYAML's parser when PyYAML has it (the wheels do): the same nodes and marks, 5x faster
    loader = (yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:  # a control character: PyYAML gives only its offset
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        at = text.find(chr(code))  # (the offset counts bytes with LibYAML, characters without)
        at = at if at >= 0 else min(exc.position, len(text))
        where = Where(shown, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
        raise InputError(f"control character U+{code:04X} is not allowed in a YAML file", where,
                         "remove it; a tab or a line break is fine") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "YAML syntax error"
        where = Where(shown, mark.line + 1, mark.column + 1) if mark else Where(shown)
        hint = YAML_HINT
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != mark.line:
            cm = exc.context_mark
            hint = f"{exc.context} at line {cm.line + 1}, column {cm.column + 1}"
        raise InputError(f"YAML syntax error: {problem}", where, hint) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML syntax error: {exc}", Where(shown), YAML_HINT) from None
    except RecursionError:
        raise InputError(f"values nested deeper than {MAX_DEPTH} levels", Where(shown),
                         "edition files are a few levels deep; check the indentation") from None
    finally:
        loader.dispose()
    if node is None:
        return Y({}, Where(shown, 1, 1))
    return _Converter(shown, loader).convert(node)


def _check_depth(text: str, shown: str) -> None:
    """Refuse deeply nested flow collections ([[[[...) before PyYAML recurses into them.
    Only brackets, quotes and line ends matter, so only they are visited. (Nesting by
    indentation, which LibYAML parses without recursion, the converter counts.)"""
    depth = 0
    quote = None
    for m in _DEPTH_CHARS.finditer(text):
        ch = m.group()
        if ch == "\n":
            if quote == "'":
                quote = None
            continue
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = m.start()
                where = Where(shown, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
                raise InputError(f"nesting deeper than {MAX_DEPTH} levels", where,
                                 "edition files are a few levels deep; check the brackets")
        else:
            depth = max(0, depth - 1)


_DEPTH_CHARS = re.compile(r"[\n\"'\[\]{}]")


class _Converter:
    """Nodes -> Y values, bounding what aliases can make: values, characters, depth, and
    no value inside itself (`&a [*a]`)."""

    def __init__(self, shown: str, loader: yaml.SafeLoader):
        self.shown = shown
        self.loader = loader
        self.count = 0
        self.chars = 0
        self.top: Where | None = None  # the top-level key being read (alias bombs point at it)
        self.depth = 0
        self.open: set[int] = set()  # the collections being converted, outermost first

    def where(self, node) -> Where:
        return Where(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node) -> Y:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(f"more than {MAX_NODES} values after expanding aliases",
                             self.top or self.where(node), "remove the repeated '*alias' references")
        if node.tag not in _PLAIN_TAGS:
            raise InputError(f"YAML tag {node.tag!r} is not allowed", self.where(node),
                             "edition files hold plain values only; remove the '!' tag")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self.open:
                raise InputError("a value contains itself through an '*alias'", self.where(node),
                                 "an alias may repeat a value written before it, not the one it is in")
            if self.depth >= MAX_DEPTH:
                raise InputError(f"values nested deeper than {MAX_DEPTH} levels", self.where(node),
                                 "edition files are a few levels deep; check the indentation")
            self.depth += 1
            self.open.add(id(node))
            try:
                if isinstance(node, yaml.MappingNode):
                    return self._mapping(node)
                return Y([self.convert(item) for item in node.value], self.where(node))
            finally:
                self.depth -= 1
                self.open.discard(id(node))
        self.chars += len(node.value)
        if self.chars > MAX_CHARS:
            raise InputError(f"more than {MAX_CHARS} characters of text after expanding aliases",
                             self.top or self.where(node),
                             "put long texts in story files, and remove repeated '*alias' references")
        if node.tag == _STR:  # what PyYAML's constructor would return for it
            return Y(node.value, self.where(node))
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:  # KeyError: '!!bool maybe'
            if node.tag == "tag:yaml.org,2002:timestamp":
                value = node.value  # '2026-13-40': the model's check says what is wrong
            elif isinstance(exc, (KeyError, TypeError)):  # a tag PyYAML has no reading of this text for
                kind = node.tag.rsplit(":", 1)[-1]
                raise InputError(f"cannot read {node.value[:40]!r} as {kind}", self.where(node),
                                 f"remove the '!!{kind}' tag, or write a {kind} value") from None
            else:
                raise InputError(f"cannot read value: {exc}", self.where(node), "write it as plain text, quoted") \
                    from None
        raw = node.value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        return Y(value, self.where(node), raw=raw)

    def _mapping(self, node) -> Y:
        values: dict[str, Y] = {}
        keys: dict[str, Where] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise InputError("merge keys ('<<') are not supported", self.where(key_node),
                                 "write the keys out, or use 'based_on' for styles")
            key = self.convert(key_node)
            if not isinstance(key.value, str):
                kind = {dict: "a mapping", list: "a list"}.get(type(key.value), repr(key.value)[:40])
                raise InputError(f"keys must be text, got {kind}", key.where,
                                 "write a plain name before the ':' (no '? ' key, no '*alias' of a mapping or list)")
            if key.value in values:
                first = keys[key.value]
                raise InputError(f"duplicate key '{key.value}' (first at line {first.line})",
                                 key.where, "keep one of the two")
            keys[key.value] = key.where
            if self.depth == 1:
                self.top = key.where
            values[key.value] = self.convert(value_node)
        return Y(values, self.where(node), keys)
