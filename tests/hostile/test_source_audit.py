"""No code path runs or renders what a user typed: a scan of the project's own sources.

Refused everywhere (Python): ``eval``, ``exec``, ``compile``, ``__import__`` of anything but a
literal in the source, ``pickle``/``marshal``
loads, ``yaml.load``, ``subprocess`` with ``shell=True``, ``os.system``. Raw HTML
(``unsafe_allow_html=True``, ``st.html``, ``components.html``) is allowed only with content
that is a literal in the source (or an UPPER_CASE module constant assigned once to a literal,
such as a page's CSS), or where ALLOWED below says, with a reason, why the content cannot
carry user text. In JavaScript/HTML files: ``eval(``, ``new Function(``,
``innerHTML`` / ``outerHTML`` / ``document.write`` / ``insertAdjacentHTML``.

The scan reads the files; it does not import them, so it runs before any page works.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {
    ".venv",
    ".git",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "artifacts",
}

# (path relative to the repo, a piece of the call's source) -> why it cannot carry user
# content. An entry that matches nothing fails the test, so the list stays true.
ALLOWED: dict[tuple[str, str], str] = {
    ("tests/core/test_export.py", 'compile(source, name, "exec")'): "compiles, never runs, "
    "the code expnet.teaching.export writes: numbers as repr(float), names from fixed tables",
}

_CODE_CALLS = {"eval", "exec", "compile", "__import__"}
_LOADS = {
    ("pickle", "loads"),
    ("pickle", "load"),
    ("marshal", "loads"),
    ("yaml", "load"),
    ("os", "system"),
    ("os", "popen"),
}
_HTML_CALLS = {"html"}  # st.html, components.html, st.components.v1.html
_JS_PATTERNS = re.compile(
    r"\beval\s*\(|new\s+Function\s*\(|\.innerHTML\b|\.outerHTML\b"
    r"|document\.write\s*\(|insertAdjacentHTML"
)


def _files(suffixes: tuple[str, ...]) -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(REPO_ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found += [Path(folder) / n for n in names if Path(n).suffix in suffixes]
    return sorted(found)


_CONSTANTS: dict[str, dict[str, ast.AST]] = {}


def _is_literal(node: ast.AST) -> bool:
    """An expression built only from literals: constants, f-strings and operators of them."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_is_literal(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return _is_literal(node.value)
    if isinstance(node, ast.BinOp):
        return _is_literal(node.left) and _is_literal(node.right)
    if isinstance(node, ast.UnaryOp):
        return _is_literal(node.operand)
    return False


def _module_constants(tree: ast.Module) -> dict[str, ast.AST]:
    """UPPER_CASE names assigned exactly once at module level, to a literal."""
    seen: dict[str, list[ast.AST]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                seen.setdefault(target.id, []).append(value)
    return {
        name: values[0]
        for name, values in seen.items()
        if name.isupper() and len(values) == 1 and _is_literal(values[0])
    }


def _constants_by_module() -> dict[str, dict[str, ast.AST]]:
    """{module stem: its literal constants} over the project's Python files."""
    out: dict[str, dict[str, ast.AST]] = {}
    for path in _files((".py",)):
        try:
            tree = ast.parse(path.read_text())
        except SyntaxError:
            continue
        out.setdefault(path.stem, {}).update(_module_constants(tree))
    return out


def _is_constant_content(node: ast.AST, own: dict[str, ast.AST]) -> bool:
    """A literal, or a name of an UPPER_CASE literal constant (``CSS`` or ``module.CSS``)."""
    if _is_literal(node):
        return True
    if isinstance(node, ast.Name):
        return node.id in own
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        if not _CONSTANTS:
            _CONSTANTS.update(_constants_by_module())
        return node.attr in _CONSTANTS.get(node.value.id, {})
    return False


def _callee(node: ast.Call) -> tuple[str | None, str]:
    func = node.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        owner_name = (
            owner.id
            if isinstance(owner, ast.Name)
            else (owner.attr if isinstance(owner, ast.Attribute) else None)
        )
        return owner_name, func.attr
    return None, ""


def _findings(path: Path, root: Path = REPO_ROOT) -> list[tuple[str, str, int, str]]:
    """(rel path, snippet, line, what) for every risky call in one Python file."""
    rel = str(path.relative_to(root))
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source, filename=rel)
    own = _module_constants(tree)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _callee(node)
        snippet = "\n".join(lines[node.lineno - 1 : node.end_lineno or node.lineno])
        if owner is None and name in _CODE_CALLS and not (node.args and _is_literal(node.args[0])):
            out.append((rel, snippet, node.lineno, f"{name}() of a value that is not a literal"))
        elif (owner, name) in _LOADS:
            out.append((rel, snippet, node.lineno, f"{owner}.{name}() can run code"))
        for kw in node.keywords:
            if kw.arg == "shell" and not (
                isinstance(kw.value, ast.Constant) and not kw.value.value
            ):
                out.append((rel, snippet, node.lineno, "subprocess with shell=True"))
            if kw.arg == "unsafe_allow_html" and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is False
            ):
                body = node.args[0] if node.args else None
                if body is None or not _is_constant_content(body, own):
                    out.append(
                        (
                            rel,
                            snippet,
                            node.lineno,
                            "unsafe_allow_html with content that is not a literal",
                        )
                    )
        if name in _HTML_CALLS and owner in {"st", "components", "v1"}:
            body = node.args[0] if node.args else None
            if body is None or not _is_constant_content(body, own):
                out.append((rel, snippet, node.lineno, f"{owner}.html with non-literal content"))
    return out


def _allowed(rel: str, snippet: str) -> tuple[str, str] | None:
    for key in ALLOWED:
        if key[0] == rel and key[1] in snippet:
            return key
    return None


def test_python_sources_run_and_render_no_user_text():
    problems, used = [], set()
    for path in _files((".py",)):
        for rel, snippet, line, what in _findings(path):
            key = _allowed(rel, snippet)
            if key:
                used.add(key)
            else:
                first = snippet.splitlines()[0][:100]
                problems.append(f"{rel}:{line}: {what}: {first}")
    assert not problems, "\n".join(problems)
    assert not set(ALLOWED) - used, f"stale ALLOWED entries: {sorted(set(ALLOWED) - used)}"


def test_grep_agrees_with_the_syntax_scan():
    """A plain text grep finds no eval(/exec(/unsafe_allow_html=True that the syntax scan
    above did not judge (e.g. one hidden in a file that does not parse)."""
    pattern = re.compile(r"(?<![\w.])(eval|exec)\s*\(|unsafe_allow_html\s*=\s*True")
    judged = {(rel, line) for p in _files((".py",)) for rel, _, line, _ in _findings(p)}
    me = Path(__file__).resolve()
    unexplained = []
    for path in _files((".py",)):
        if path.resolve() == me:
            continue
        rel = str(path.relative_to(REPO_ROOT))
        for n, text in enumerate(path.read_text().splitlines(), start=1):
            code = text.split("#", 1)[0]
            if pattern.search(code) and (rel, n) not in judged and not _literal_ok(path, n):
                unexplained.append(f"{rel}:{n}: {text.strip()[:100]}")
    assert not unexplained, "\n".join(unexplained)


def _literal_ok(path: Path, line: int) -> bool:
    """The grep hit is inside a string or is a literal-content html call (judged safe)."""
    for node in ast.walk(ast.parse(path.read_text())):
        spans = hasattr(node, "lineno") and node.lineno <= line <= (node.end_lineno or node.lineno)
        if not spans:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return True
        if isinstance(node, ast.Call) and any(k.arg == "unsafe_allow_html" for k in node.keywords):
            return True
    return False


def test_javascript_and_html_assets_inject_no_markup():
    hits = []
    for path in _files((".js", ".html", ".htm", ".mjs")):
        rel = str(path.relative_to(REPO_ROOT))
        if path.name.endswith(".min.js"):
            continue  # vendored libraries (plotly.min.js) are not project code
        for n, text in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            if _JS_PATTERNS.search(text) and _allowed(rel, text.strip()) is None:
                hits.append(f"{rel}:{n}: {text.strip()[:100]}")
    assert not hits, "\n".join(hits)


def test_the_scanner_catches_what_it_should(tmp_path: Path):
    """The scan is not vacuous: a planted file with each refused call is reported."""
    planted = tmp_path / "planted.py"
    planted.write_text(
        "\n".join(
            [
                "import streamlit as st, pickle, subprocess",
                "name = st.text_input('name')",
                "eval(name)",
                "exec(name)",
                "__import__('base64')",
                "__import__(name)",
                "st.markdown(f'<b>{name}</b>', unsafe_allow_html=True)",
                "st.markdown('<b>fixed</b>', unsafe_allow_html=True)",
                "st.html(name)",
                "pickle.loads(name.encode())",
                "subprocess.run(name, shell=True)",
                "st.markdown(f'<b>{1 + 1}</b>', unsafe_allow_html=True)",
                "CSS = '<style>b {color: red}</style>'",
                "st.html(CSS)",
                "st.markdown(CSS, unsafe_allow_html=True)",
                "st.html(st.session_state.css)",
            ]
        )
    )
    lines = {line for _, _, line, _ in _findings(planted, tmp_path)}
    assert lines == {3, 4, 6, 7, 9, 10, 11, 16}
