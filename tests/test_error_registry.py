"""Every error code raised in src/empathy_nlu is registered once (errors.ERRORS) and documented once
(docs/errors.md), with the class of its range and the class its raise sites use.

The raise sites are found statically with ``ast``, so a code on a branch no test reaches counts too:

* a call of an ``EmpathyError`` class with a code literal, positionally or as ``code=``
  (``raise DataError("...", code="E110")``, ``raise ModelError("...", "E204")``);
* the same with a module-level constant (``code=codes.MISSING_KEY``) or a conditional expression;
* a call of a helper that passes one of its parameters as the code to an ``EmpathyError`` class
  (``_fail(source, message, "E421")``), attributed to that class;
* a class attribute ``code = "E..."`` of an ``EmpathyError`` class;
* any other string literal that is exactly a code (only the registration and docs are checked then).
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from empathy_nlu import errors
from empathy_nlu.errors import ERRORS, EmpathyError, range_class

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "empathy_nlu"
DOCS = ROOT / "docs" / "errors.md"
CODE = re.compile(r"^E\d{3}$")
DOC_ROW = re.compile(r"^\|\s*(E\d{3})\s*\|\s*`?(\w+)`?\s*\|")


@dataclass(frozen=True)
class Site:
    code: str
    error: str | None  # the EmpathyError class used there, None when the scan cannot tell
    where: str  # path:line


def _code_positions() -> dict[str, int]:
    """Every ``EmpathyError`` class -> the position of ``code`` among its arguments (after ``self``)."""
    found, todo = {}, [EmpathyError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = list(inspect.signature(cls.__init__).parameters).index("code") - 1
        todo.extend(cls.__subclasses__())
    return found


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(CODE.match(node.value))


def _call_args(call: ast.Call) -> list[ast.expr]:
    return [*call.args, *(k.value for k in call.keywords)]


class Scanner:
    """Collects ``Site``s from source texts: ``add`` every file first (helpers and constants may live
    in other modules than their callers), then call ``sites``."""

    def __init__(self, code_positions: dict[str, int]) -> None:
        self.code_positions: dict[str, int | None] = dict(code_positions)
        self.sources: dict[str, ast.Module] = {}

    def add(self, text: str, path: str) -> None:
        self.sources[path] = ast.parse(text, filename=path)

    def sites(self) -> list[Site]:
        self._find_subclasses()
        constants = self._constants()
        helpers = self._helpers()
        found: list[Site] = []
        attributed: set[int] = set()

        def codes_of(node: ast.expr | None) -> list[ast.Constant]:
            if node is None:
                return []
            if _is_code(node):
                return [node]
            if isinstance(node, ast.IfExp):
                return codes_of(node.body) + codes_of(node.orelse)
            name = _name(node)
            return [constants[name]] if name in constants else []

        def add(nodes: list[ast.expr | None], error: str | None, where: str) -> None:
            for node in nodes:
                for literal in codes_of(node):
                    attributed.add(id(literal))
                    found.append(Site(literal.value, error, where))

        for path, tree in self.sources.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _name(node.func) in self.code_positions:
                    add(_call_args(node), _name(node.func), f"{path}:{node.lineno}")
                elif isinstance(node, ast.Call) and _name(node.func) in helpers:
                    error, position, keyword, _ = helpers[_name(node.func)]
                    add([k.value for k in node.keywords if k.arg == keyword], error, f"{path}:{node.lineno}")
                    if position is not None and position < len(node.args):
                        add([node.args[position]], error, f"{path}:{node.lineno}")
                elif isinstance(node, ast.ClassDef) and node.name in self.code_positions:
                    for stmt in node.body:
                        if isinstance(stmt, ast.Assign) and any(_name(t) == "code" for t in stmt.targets):
                            add([stmt.value], node.name, f"{path}:{stmt.lineno}")
        for error, _, _, default in helpers.values():  # def require(checks, code="E403")
            if default is not None:
                add([default[0]], error, default[1])
        for path, tree in self.sources.items():
            for node in ast.walk(tree):
                if _is_code(node) and id(node) not in attributed:
                    found.append(Site(node.value, None, f"{path}:{node.lineno}"))
        return found

    def _find_subclasses(self) -> None:
        """Error classes defined outside errors.py count as raise-site classes too."""
        grew = True
        while grew:
            grew = False
            for tree in self.sources.values():
                for node in ast.walk(tree):
                    bases = [_name(base) for base in node.bases] if isinstance(node, ast.ClassDef) else []
                    known = [base for base in bases if base in self.code_positions]
                    if known and node.name not in self.code_positions:
                        own_init = any(
                            isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body
                        )
                        self.code_positions[node.name] = None if own_init else self.code_positions[known[0]]
                        grew = True

    def _constants(self) -> dict[str, ast.Constant]:
        """Module-level ``NAME = "E..."``; a name bound to two different codes is left out."""
        out: dict[str, ast.Constant] = {}
        clashes: set[str] = set()
        for tree in self.sources.values():
            for stmt in tree.body:
                if (
                    isinstance(stmt, ast.Assign | ast.AnnAssign)
                    and stmt.value is not None
                    and _is_code(stmt.value)
                ):
                    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                    for target in targets:
                        if isinstance(target, ast.Name):
                            if target.id in out and out[target.id].value != stmt.value.value:
                                clashes.add(target.id)
                            out.setdefault(target.id, stmt.value)
        return {name: node for name, node in out.items() if name not in clashes}

    def _helpers(self) -> dict[str, tuple[str | None, int | None, str, tuple[ast.expr, str] | None]]:
        """Functions that pass one of their parameters on as the code of an error class.

        ``def _fail(source, message, code): return ConfigError(..., code)`` gives
        ``_fail -> (ConfigError, 2, "code", None)``: class, position, keyword, (default, where).
        The class is None when two helpers of one name pass on to different classes.
        """
        out: dict = {}
        for path, tree in self.sources.items():
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                positional = [*func.args.posonlyargs, *func.args.args]
                defaults = dict(zip(positional[::-1], func.args.defaults[::-1], strict=False))
                defaults.update(zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True))
                names = [a.arg for a in positional]
                offset = 1 if names and names[0] in ("self", "cls") else 0
                by_name = {a.arg: a for a in (*positional, *func.args.kwonlyargs)}
                for call in ast.walk(func):
                    error = _name(call.func) if isinstance(call, ast.Call) else None
                    if error not in self.code_positions:
                        continue
                    index = self.code_positions[error]
                    slot = [k.value for k in call.keywords if k.arg == "code"]
                    slot += call.args if index is None else call.args[index : index + 1]
                    for arg in slot:
                        if isinstance(arg, ast.Name) and arg.id in by_name:
                            param = by_name[arg.id]
                            position = names.index(arg.id) - offset if arg.id in names else None
                            default = defaults.get(param)
                            default = (default, f"{path}:{default.lineno}") if default is not None else None
                            if func.name in out and out[func.name][0] != error:
                                error = None
                            out[func.name] = (error, position, arg.id, default)
        return out


def scan_sources(sources: dict[str, str]) -> list[Site]:
    scanner = Scanner(_code_positions())
    for path, text in sources.items():
        scanner.add(text, path)
    return scanner.sites()


def documented() -> dict[str, list[str]]:
    """code -> error classes of its rows in docs/errors.md (a list, to catch a code listed twice)."""
    rows: dict[str, list[str]] = {}
    for line in DOCS.read_text("utf-8").splitlines():
        match = DOC_ROW.match(line)
        if match:
            rows.setdefault(match.group(1), []).append(match.group(2))
    return rows


def problems(sites: list[Site], registry: dict, docs: dict[str, list[str]]) -> list[str]:
    out = []
    for site in sites:
        if site.code not in registry:
            out.append(f"{site.where}: {site.code} is not registered in empathy_nlu.errors.ERRORS")
        elif site.error is not None and site.error != registry[site.code].error.__name__:
            out.append(
                f"{site.where}: {site.code} is raised as {site.error}, "
                f"registered as {registry[site.code].error.__name__}"
            )
        if site.code not in docs:
            out.append(f"{site.where}: {site.code} is not documented in docs/errors.md")
    return sorted(set(out))


@pytest.fixture(scope="module")
def sites() -> list[Site]:
    paths = sorted(SRC.rglob("*.py"))
    assert len(paths) > 50, f"found only {len(paths)} files under {SRC}"
    return scan_sources({str(p.relative_to(ROOT)): p.read_text("utf-8") for p in paths})


def test_the_scan_finds_the_raise_sites(sites):
    assert len({site.code for site in sites if site.error is not None}) > 80

    def found(code: str, error: str, where: str) -> bool:
        return any(s.code == code and s.error == error and where in s.where for s in sites)

    assert found("E601", "StoreError", "store/sqlite.py")  # positional literal
    assert found("E122", "DataError", "cli/evaluate.py")  # code= literal
    assert found("E110", "DataError", "dataset/records.py")  # code=codes.MISSING_KEY
    assert found("E101", "DataError", "dataset/validation.py")  # through the helper _raise_collected
    assert found("E421", "ConfigError", "cues/patterns.py")  # through the helper _fail
    assert found("E330", "ChannelError", "errors.py")  # class attribute


def test_every_code_in_src_is_registered_and_documented(sites):
    """(a) and (c): registered, documented, raised with the registered class."""
    found = problems(sites, ERRORS, documented())
    assert not found, "\n".join(found)


def test_registry_is_one_entry_per_code():
    tree = ast.parse(Path(errors.__file__).read_text("utf-8"))
    tables = [
        node.value
        for node in tree.body
        if isinstance(node, ast.AnnAssign)
        and _name(node.target) == "ERRORS"
        and isinstance(node.value, ast.Dict)
    ]
    assert len(tables) == 1, "ERRORS must be one dict literal in errors.py"
    keys = [key.value for key in tables[0].keys if isinstance(key, ast.Constant)]
    assert len(keys) == len(tables[0].keys), "every key of ERRORS must be a string literal"
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"codes registered twice: {duplicates}"
    for code, info in ERRORS.items():
        assert CODE.match(code), code
        assert issubclass(info.error, EmpathyError), code
        for text in (info.meaning, info.action):
            assert text.strip() and "\n" not in text, f"{code}: meaning and action are one non-empty line"


def test_registered_class_matches_the_code_range():
    """E1xx DataError, E2xx ModelError, E300-E329 InputError, E330-E349 ChannelError, E4xx ConfigError, ..."""
    wrong = [
        f"{code}: registered as {info.error.__name__}, but its range is for "
        f"{getattr(range_class(code), '__name__', 'no class')}; give it a free code of its class's range"
        for code, info in ERRORS.items()
        if range_class(code) is not info.error
    ]
    assert not wrong, "\n".join(wrong)


def test_docs_and_registry_list_the_same_codes():
    """(b): every registered code has one row in docs/errors.md, every row a registered code."""
    docs = documented()
    assert sorted(set(ERRORS) - set(docs)) == [], "registered but not in docs/errors.md"
    assert sorted(set(docs) - set(ERRORS)) == [], "in docs/errors.md but not registered"
    twice = sorted(code for code, classes in docs.items() if len(classes) > 1)
    assert twice == [], "listed more than once in docs/errors.md"
    wrong = [
        f"{code}: docs say {classes[0]}, registry {ERRORS[code].error.__name__}"
        for code, classes in docs.items()
        if classes[0] != ERRORS[code].error.__name__
    ]
    assert not wrong, "\n".join(wrong)


def test_the_check_catches_unregistered_codes_and_wrong_classes():
    """The scan is real: what a careless edit would add is reported, wherever the code hides."""
    code = next(f"E1{n:02d}" for n in range(99, 0, -1) if f"E1{n:02d}" not in ERRORS)  # a free E1xx
    lines = [
        "from .errors import ConfigError, DataError, ModelError",  # 1
        f'CONSTANT = "{code}"',  # 2
        "def _fail(source, message, code):",  # 3
        '    return ConfigError(f"{source}: {message}", code)',  # 4
        'def check(ok, code="E204"):',  # 5
        '    raise ConfigError("out of range", code)',  # 6
        "class LocalError(DataError):",  # 7
        '    code = "E201"',  # 8
        "def f(x):",  # 9
        f'    raise DataError("x", code="{code}")',  # 10
        "    raise ModelError('x', CONSTANT)",  # 11
        '    raise DataError("x", code="E204" if x else "E110")',  # 12
        '    raise _fail("here", "bad", "E110")',  # 13
        '    raise LocalError("x", code="E110")',  # 14
        '    check(x, "E403")',  # 15
        '    raise ModelError("x", "E204")',  # 16
    ]
    found = problems(scan_sources({"example.py": "\n".join(lines)}), ERRORS, documented())
    assert found == sorted(
        [
            f"example.py:10: {code} is not registered in empathy_nlu.errors.ERRORS",
            f"example.py:10: {code} is not documented in docs/errors.md",
            f"example.py:11: {code} is not registered in empathy_nlu.errors.ERRORS",
            f"example.py:11: {code} is not documented in docs/errors.md",
            "example.py:12: E204 is raised as DataError, registered as ModelError",
            "example.py:13: E110 is raised as ConfigError, registered as DataError",
            "example.py:5: E204 is raised as ConfigError, registered as ModelError",
            "example.py:8: E201 is raised as LocalError, registered as ModelError",
            "example.py:14: E110 is raised as LocalError, registered as DataError",
        ]
    )
