"""Rules the import contracts cannot express (house style §6), checked on the source."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "doorstroom"
INTERFACE_MODULES = sorted([*ROOT.glob("*/views.py"), *ROOT.glob("*/api/views.py")])


def test_there_are_interface_modules_to_check():
    assert len(INTERFACE_MODULES) >= 7


@pytest.mark.parametrize("path", INTERFACE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_never_query_models_directly(path):
    """A view starts from the access door, never from Model.objects."""
    tree = ast.parse(path.read_text())
    offending = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "objects"]
    assert offending == [], f"{path.name} uses .objects on lines {offending}"


@pytest.mark.parametrize("path", INTERFACE_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_views_taking_an_identifier_call_the_access_door_first(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        takes_id = any(arg.arg.endswith("_uuid") for arg in node.args.args)
        if not takes_id or node.name.startswith("_"):
            continue
        first_calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        door = [c for c in first_calls if isinstance(c.func.value, ast.Name) and c.func.value.id == "access"]
        helper = [
            c
            for c in ast.walk(node)
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id.startswith("_")
        ]
        assert door or helper, f"{path.name}:{node.name} takes an identifier but never calls access"


def test_policy_has_no_superuser_shortcut():
    source = (ROOT / "access" / "policy.py").read_text()
    assert "is_superuser" not in source and "is_staff" not in source


def test_no_model_has_an_ethnicity_field():
    from django.apps import apps

    words = ("ethnic", "etnic", "etnisch", "roma", "sinti", "race", "herkomst")
    for model in apps.get_models():
        for field in model._meta.get_fields():
            assert not any(word in field.name.lower() for word in words), f"{model.__name__}.{field.name}"


ALL_MODULES = sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts and "tests" not in p.parts)


def test_no_mass_assignment_or_string_built_sql():
    """E3: every model form, serializer and admin names its fields; no SQL built from strings
    outside the one reviewed key-rotation command (bandit B608 checks that one)."""
    offending = []
    for path in ALL_MODULES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("fields", "exclude") for t in node.targets
            ):
                if isinstance(node.value, ast.Constant) and node.value.value == "__all__":
                    offending.append(f"{path.name}:{node.lineno} fields = '__all__'")
                if any(isinstance(t, ast.Name) and t.id == "exclude" for t in node.targets):
                    offending.append(f"{path.name}:{node.lineno} exclude (name the fields instead)")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("raw", "extra")
            ):
                offending.append(f"{path.name}:{node.lineno} .{node.func.attr}()")
    assert offending == [], offending
