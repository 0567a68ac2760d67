"""YAML reading for every focus input: line numbers, Timeloop tags, Jinja, one-line errors.

* `load_yaml(path)` parses one file. Mappings and lists come back as `LineDict` / `LineList` (plain
  `dict` / `list` subclasses) that remember the 1-based `line` where they start and the YAML `tag`
  (`!Container`, `!Component`, `!Parallel`, `!Nothing`, ... of Timeloop v0.4; "" when untagged).
* Timeloop v0.4 files may be Jinja templates (`{{x|default(8)}}`, `{% if ... %}`): they are rendered
  with no variables, so every `default(...)` applies, as timeloopfe does when no variable is given.
* A syntax error becomes `FocusError("FILE:LINE: <what is wrong>")`.
* `load_timeloop(paths)` merges the top-level keys of several files or folders (later files win) and
  rewrites hyphens in keys to underscores, as Timeloop does; `load_problem(path)` reads one problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from focus_tools.errors import FocusError
from frontend.problem import Problem, problem_from_yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A YAML mapping that remembers where it starts (`line`, 1-based) and its tag (`tag`)."""

    line: int = 0
    tag: str = ""
    jinja_missing: tuple[str, ...] = ()


class LineList(list):
    """A YAML sequence that remembers where it starts (`line`, 1-based) and its tag (`tag`)."""

    line: int = 0
    tag: str = ""
    jinja_missing: tuple[str, ...] = ()


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader building LineDict/LineList and accepting any local `!Tag`."""


def _map(loader: Any, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


def _seq(loader: Any, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_sequence(node))


def _tagged(loader: Any, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: Any = LineDict(loader.construct_mapping(node, deep=True))
    elif isinstance(node, yaml.SequenceNode):
        out = LineList(loader.construct_sequence(node, deep=True))
    else:
        return loader.construct_scalar(node)
    out.line = node.start_mark.line + 1
    out.tag = suffix
    return out


_Loader.add_constructor("tag:yaml.org,2002:map", _map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _seq)
_Loader.add_multi_constructor("!", _tagged)


def line_of(node: Any, default: int = 0) -> int:
    """The 1-based line where a mapping or list of a loaded file starts (0 if unknown)."""
    return getattr(node, "line", default) or default


def _render_jinja(text: str, source: str) -> tuple[str, tuple[str, ...]]:
    """Render a Jinja template with no variables; also return the names used without a default."""
    try:
        import jinja2
    except ImportError:  # pragma: no cover - jinja2 comes with dask[distributed]
        raise FocusError(f"{source}: is a Jinja template; install jinja2 to read it") from None
    missing: list[str] = []

    class _Recording(jinja2.Undefined):
        def __str__(self) -> str:
            if self._undefined_name and self._undefined_name not in missing:
                missing.append(self._undefined_name)
            return ""

    try:
        env = jinja2.Environment(undefined=_Recording, keep_trailing_newline=True)
        return env.from_string(text).render(), tuple(missing)
    except jinja2.TemplateSyntaxError as exc:
        raise FocusError(f"{source}:{exc.lineno}: Jinja template error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise FocusError(f"{source}: Jinja template error: {exc}") from None


def jinja_missing(doc: Any) -> tuple[str, ...]:
    """Jinja variables a loaded template used without a value (they rendered as empty text)."""
    return getattr(doc, "jinja_missing", ())


def parse_yaml_text(text: str, source: str) -> Any:
    """Parse YAML text (rendering Jinja first when the text is a template); errors name `source:line`."""
    missing: tuple[str, ...] = ()
    if "{{" in text or "{%" in text:
        text, missing = _render_jinja(text, source)
    try:
        data = yaml.load(text, Loader=_Loader)
        if missing and isinstance(data, (LineDict, LineList)):
            data.jinja_missing = missing  # type: ignore[attr-defined]
        return data
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise FocusError(f"{source}: {what}") from None
        raise FocusError(f"{source}:{mark.line + 1}: {what}") from None
    except yaml.YAMLError as exc:
        raise FocusError(f"{source}: invalid YAML ({str(exc).splitlines()[0] if str(exc) else 'error'})") from None


def load_yaml(path: str | Path, source: str | None = None) -> Any:
    """Parse one YAML file; `source` is the name used in error messages (default: the path as given)."""
    src = str(path) if source is None else source
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise FocusError(f"{src}: no such file") from None
    except IsADirectoryError:
        raise FocusError(f"{src}: is a directory, expected a YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FocusError(f"{src}: cannot read ({getattr(exc, 'strerror', None) or exc.__class__.__name__})") from None
    return parse_yaml_text(text, src)


def normalize(node: Any) -> Any:
    """Hyphens in mapping keys become underscores (Timeloop's pre-pass); lines and tags are kept."""
    if isinstance(node, dict):
        out = LineDict()
        out.line, out.tag = getattr(node, "line", 0), getattr(node, "tag", "")
        for k, v in node.items():
            out[k.replace("-", "_") if isinstance(k, str) else k] = normalize(v)
        return out
    if isinstance(node, list):
        lst = LineList(normalize(v) for v in node)
        lst.line, lst.tag = getattr(node, "line", 0), getattr(node, "tag", "")
        return lst
    return node


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named directly plus every .yaml/.yml file below the named folders (sorted)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out += sorted(q for q in path.rglob("*") if q.is_file() and q.suffix in (".yaml", ".yml"))
        else:
            out.append(path)
    return out


def load_timeloop(paths: Iterable[str | Path]) -> tuple[LineDict, dict[str, str]]:
    """Merge the top-level keys of Timeloop YAML files/folders (later files win), keys normalized.

    Returns the merged document and, per top-level key, the file it came from.
    """
    doc = LineDict()
    origin: dict[str, str] = {}
    files = yaml_files(paths)
    if not files:
        raise FocusError(f"{', '.join(map(str, paths))}: no YAML files found")
    for f in files:
        data = load_yaml(f)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise FocusError(f"{f}:{line_of(data, 1)}: top level must be a mapping, got {type(data).__name__}")
        for k, v in normalize(data).items():
            doc[k] = v
            origin[str(k)] = str(f)
        doc.jinja_missing = doc.jinja_missing + tuple(
            f"{n} ({f.name})" for n in jinja_missing(data))
    return doc, origin


# Instance parameters of Timeloop's conv workloads that are not loop dimensions (input height/width; the
# multi-letter ones such as Hpad, Wstride are never mistaken for dimensions).
INSTANCE_EXTRAS = ("H", "W")


def problem_from_doc(data: Any, source: str, name: str | None = None) -> Problem:
    """A Problem from a parsed problem document; `H`/`W` instance parameters that are not dimensions
    (timeloopfe's conv input size) are ignored as Timeloop does, any other unknown name is an error."""
    if isinstance(data, dict):
        prob = data.get("problem", data)
        if isinstance(prob, dict) and isinstance(prob.get("shape"), dict) and isinstance(prob.get("instance"), dict):
            dims = {str(d) for d in prob["shape"].get("dimensions") or []}
            inst = prob["instance"]
            if any(k in INSTANCE_EXTRAS and k not in dims for k in inst):
                prob = dict(prob)
                prob["instance"] = {k: v for k, v in inst.items() if not (k in INSTANCE_EXTRAS and k not in dims)}
                data = {"problem": prob}
    return problem_from_yaml(data, source=source, name=name)


def load_problem(path: str | Path, name: str | None = None, source: str | None = None) -> Problem:
    """A Timeloop problem file (v0.2/v0.3/v0.4) as a Problem; errors name the file."""
    src = str(path) if source is None else source
    return problem_from_doc(load_yaml(path, src), src, name)


# Top-level keys that identify the kind of a Timeloop document.
DOC_KINDS = {
    "problem": "problem",
    "architecture": "architecture",
    "architecture_constraints": "constraints",
    "mapspace_constraints": "constraints",
    "mapspace": "constraints",
    "constraints": "constraints",
    "dummy_constraints": "constraints",
    "mapping": "mapping",
    "mapper": "mapper",
    "components": "components",
    "compound_components": "components",
    "variables": "variables",
    "globals": "variables",
}


def doc_kinds(doc: Any) -> set[str]:
    """The kinds of Timeloop sections a loaded document holds (problem, architecture, ...)."""
    if not isinstance(doc, dict):
        return set()
    return {DOC_KINDS[k.replace("-", "_")] for k in doc if isinstance(k, str) and k.replace("-", "_") in DOC_KINDS}
