"""The README's promises: every environment variable the settings read is documented."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def test_readme_documents_every_environment_variable_read_in_settings():
    # given the names read with django-environ in every settings module
    source = "\n".join(path.read_text() for path in sorted((BASE_DIR / "foodtrucks" / "settings").glob("*.py")))
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))

    # when
    readme = (BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.MULTILINE))

    # then
    assert read, "no environment variable found: the pattern no longer matches the settings"
    assert read - documented == set()


def test_readme_links_the_demo_logins_doc():
    readme = (BASE_DIR / "README.md").read_text()
    assert "(docs/demo.md)" in readme
    assert "admin@foodtrucks.local" in readme and "foodtrucks-demo" in readme
