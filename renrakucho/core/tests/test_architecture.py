"""Architecture rule 1 (ARCHITECTURE.md): resident data is reached only through
residents.access and selectors. Views, consumers and the presentation packages (api, fhir,
portal) never touch a resident-owned model's manager (`Model.objects…`) themselves.

Resident-owned models are those of the residents app and every model with a foreign key to
Resident, found in the app registry, so a feature's new models are covered when they appear.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.db import models

from renrakucho.residents.models import Resident

PACKAGE = Path(__file__).resolve().parents[2]
PRESENTATION_PACKAGES = {"api", "fhir", "portal"}
ALLOWED_FILES = {"access.py", "selectors.py"}
MANAGER_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def resident_owned_model_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        owned = model._meta.app_label == "residents" or any(
            isinstance(field, models.ForeignKey) and field.related_model is Resident
            for field in model._meta.get_fields()
        )
        if owned:
            names.add(model.__name__)
    return names


def checked_files() -> list[Path]:
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts or path.name in ALLOWED_FILES:
            continue
        in_presentation = parts[0] in PRESENTATION_PACKAGES
        is_view_or_consumer = path.stem in {"views", "consumers"} or any(
            part in {"views", "consumers"} for part in parts[:-1]
        )
        if in_presentation or is_view_or_consumer:
            files.append(path)
    return files


def manager_uses(source: str, model_names: set[str]) -> list[tuple[int, str]]:
    """(line, model) for each `Model.objects` (or an alias's, or `module.Model.objects`)."""
    tree = ast.parse(source)
    aliases = {name: name for name in model_names}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in model_names and alias.asname:
                    aliases[alias.asname] = alias.name
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRIBUTES):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        if name in aliases:
            found.append((node.lineno, aliases[name]))
    return found


def test_views_consumers_and_api_do_not_query_resident_models_directly():
    model_names = resident_owned_model_names()
    assert {"Resident", "KeyPerson", "Consent", "CareTeamMember"} <= model_names
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {model}.objects"
        for path in checked_files()
        for line, model in manager_uses(path.read_text(encoding="utf-8"), model_names)
    ]
    assert not offences, (
        "Resident data must be reached through residents.access / selectors "
        "(ARCHITECTURE.md rule 1):\n" + "\n".join(offences)
    )


def test_the_checker_finds_what_it_must():
    names = {"Resident", "Consent"}
    source = (
        "from renrakucho.residents.models import Consent as C\n"
        "from renrakucho.residents import models as m\n"
        "def view(request, pk):\n"
        "    a = Resident.objects.get(pk=pk)\n"
        "    b = C.objects.filter(resident=a)\n"
        "    c = m.Resident._default_manager.all()\n"
        "    d = Network.objects.all()\n"
    )
    assert manager_uses(source, names) == [(4, "Resident"), (5, "Consent"), (6, "Resident")]


def test_the_checker_looks_at_views_and_the_api():
    files = {str(path.relative_to(PACKAGE)) for path in checked_files()}
    assert "residents/views.py" in files
    assert any(name.startswith("api/") for name in files)
    assert "residents/access.py" not in files
    assert not any("/tests/" in name for name in files)
