"""Where the tests' fixtures live, so a test file can move between folders without breaking them."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
REALWORLD = REPO.parent / "shared" / "corpus" / "realworld"
