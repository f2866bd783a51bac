"""The parts of the package and what each may import, read from the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "podcast_hub"
ROOT = {"config", "extensions", "errors", "models", "clock"}
DOMAIN = {"text", "library", "catalog", "conversation"}
# Each part, and the parts it may import besides itself and the root modules.
ALLOWED = {
    "text": set(),
    "library": {"text"},
    "catalog": {"library", "text"},
    "conversation": {"catalog", "library", "text"},
    "web": {"conversation", "catalog", "library", "text"},
    "auth": {"web", "catalog", "text"},
    "feeds": {"web", "conversation", "catalog", "library", "text"},
    "site": {"web", "conversation", "catalog", "library", "text"},
    "api": {"web", "auth", "conversation", "catalog", "library", "text"},
    "mail": {"web", "auth", "conversation", "catalog", "library", "text"},
    "dashboard": {"web", "auth", "mail", "conversation", "catalog", "library", "text"},
    "cli": {"auth", "feeds", "mail", "conversation", "catalog", "library", "text"},
}
# The web framework: domain parts are plain functions and never see a request.
WEB_LIBRARIES = {"flask", "flask_login", "flask_wtf", "flask_limiter", "werkzeug"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        part = parts[0] if len(parts) > 1 else path.stem
        yield part, path


def _imports(path, package=PACKAGE):
    """Return (our part or None, top-level library) for each import in `path`."""
    relative = path.relative_to(package).parts
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name.split(".")
                if name[0] == "podcast_hub":
                    yield (name[1] if len(name) > 1 else None), None
                else:
                    yield None, name[0]
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".") if node.module else []
            if node.level == 0:
                if module[0] == "podcast_hub":
                    if len(module) > 1:
                        yield module[1], None
                    else:
                        for alias in node.names:
                            yield alias.name, None
                else:
                    yield None, module[0]
                continue
            # Relative: walk up from the module's own package.
            here = list(relative[:-1])
            base = here[: len(here) - (node.level - 1)]
            if node.level - 1 > len(here):
                pytest.fail(f"{path}: import above the package")
            target = base + module
            if target:
                yield target[0], None
            else:
                for alias in node.names:
                    yield alias.name, None


def test_every_module_belongs_to_a_known_part():
    unknown = {part for part, _ in _modules()} - ROOT - set(ALLOWED) - {"__init__"}
    assert unknown == set()


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_each_part_imports_only_what_its_rule_allows(part):
    wrong = []
    for owner, path in _modules():
        if owner != part:
            continue
        for ours, _library in _imports(path):
            if ours is None or ours == part or ours in ROOT:
                continue
            if ours not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(PACKAGE)} imports {ours}")
    assert wrong == []


def test_root_modules_import_no_part():
    wrong = [
        f"{path.name} imports {ours}"
        for owner, path in _modules()
        if owner in ROOT
        for ours, _library in _imports(path)
        if ours is not None and ours not in ROOT
    ]
    assert wrong == []


@pytest.mark.parametrize("part", sorted(DOMAIN))
def test_domain_parts_know_nothing_of_the_web(part):
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {library}"
        for owner, path in _modules()
        if owner == part
        for _ours, library in _imports(path)
        if library in WEB_LIBRARIES
    ]
    assert wrong == []


def test_each_part_says_what_it_owns_and_may_import():
    for part in ALLOWED:
        doc = ast.get_docstring(ast.parse((PACKAGE / part / "__init__.py").read_text()))
        assert doc and "import" in doc, part


def test_the_reader_sees_a_forbidden_import(tmp_path):
    """Relative imports two levels up are read as the part they name."""
    fake = tmp_path / "podcast_hub"
    (fake / "library").mkdir(parents=True)
    module = fake / "library" / "leak.py"
    module.write_text("from ..site import views\nfrom flask import request\n")
    found = list(_imports(module, package=fake))
    assert ("site", None) in found
    assert (None, "flask") in found
