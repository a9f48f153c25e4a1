"""ARCHITECTURE.md rule 1 for the resident-owned models (Resident, KeyPerson, Consent,
CareTeamMember): views, consumers and the presentation packages (api/, fhir/, portal/) reach
them only through residents.access and selectors.

Two things are refused in those files:
- the model's manager: `Resident.objects.get(…)`, `.filter(…)`, … (also through an import
  alias or `models.Resident`, and `_default_manager` / `_base_manager`);
- a query through a resident-owned relation: `access.resident.consents.filter(…)`,
  `user.team_memberships.all()`, … — that is a selector's job, where it is reviewed once.

(core/tests/test_architecture.py guards the manager rule for every model pointing at
Resident; this file is the residents app's own, stricter guard for its four models.)
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
MODELS = {"Resident", "KeyPerson", "Consent", "CareTeamMember"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Reverse accessors onto the four models (Resident.key_persons/consents/team_members,
# User.team_memberships, Network.residents).
RELATIONS = {"key_persons", "consents", "team_members", "team_memberships", "residents"}
QUERY_METHODS = {
    "aggregate", "all", "annotate", "bulk_create", "count", "create", "defer", "delete",
    "distinct", "exclude", "exists", "extra", "filter", "first", "get", "get_or_create",
    "in_bulk", "iterator", "last", "only", "order_by", "prefetch_related", "raw",
    "select_for_update", "select_related", "update", "update_or_create", "values",
    "values_list",
}  # fmt: skip
PRESENTATION = {"api", "fhir", "portal"}
ALLOWED = {"access.py", "selectors.py"}


def checked_files() -> list[Path]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or path.name in ALLOWED:
            continue
        is_view = path.stem in {"views", "consumers"} or {"views", "consumers"} & set(parts[:-1])
        if parts[0] in PRESENTATION or is_view:
            found.append(path)
    return found


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def offences(source: str) -> list[tuple[int, str]]:
    """(line, what) for every forbidden use in `source`."""
    tree = ast.parse(source)
    aliases = {name: name for name in MODELS}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in MODELS and alias.asname:
                    aliases[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _name_of(node.value)
        if node.attr in MANAGERS and owner in aliases:
            found.append((node.lineno, f"{aliases[owner]}.{node.attr}"))
        elif (
            node.attr in QUERY_METHODS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr in RELATIONS
        ):
            found.append((node.lineno, f".{node.value.attr}.{node.attr}("))
    return sorted(found)


def test_views_consumers_api_and_fhir_do_not_query_resident_models():
    problems = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {what}"
        for path in checked_files()
        for line, what in offences(path.read_text(encoding="utf-8"))
    ]
    assert not problems, (
        "Reach resident data through renrakucho.residents.access / selectors "
        "(ARCHITECTURE.md rule 1):\n" + "\n".join(problems)
    )


def test_the_checker_catches_each_form():
    source = (
        "from renrakucho.residents.models import Consent as C, Resident\n"
        "from renrakucho.residents import models\n"
        "def view(request, pk, access):\n"
        "    a = Resident.objects.get(pk=pk)\n"
        "    b = C.objects.filter(resident=a)\n"
        "    c = models.KeyPerson._default_manager.all()\n"
        "    d = access.resident.consents.filter(uuid=pk)\n"
        "    e = request.user.team_memberships.all()\n"
        "    f = models.CareTeamMember.objects.create(resident=a)\n"
        "    # allowed: other models, selectors named like relations, plain attributes\n"
        "    g = Network.objects.filter(pk=pk)\n"
        "    h = selectors.team_members(access)\n"
        "    i = access.resident.name\n"
        "    j = {'consents': selectors.consents_of(access)}\n"
    )
    assert offences(source) == [
        (4, "Resident.objects"),
        (5, "Consent.objects"),
        (6, "KeyPerson._default_manager"),
        (7, ".consents.filter("),
        (8, ".team_memberships.all("),
        (9, "CareTeamMember.objects"),
    ]


def test_the_checker_reads_the_right_files():
    files = {str(path.relative_to(PACKAGE)) for path in checked_files()}
    assert "residents/views.py" in files
    assert any(name.startswith("api/") for name in files)
    assert not {"residents/access.py", "residents/selectors.py"} & files
    assert not any("/tests/" in name or "/migrations/" in name for name in files)
