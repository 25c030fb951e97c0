"""Back tests build every bundled raw table once (a few seconds) and share the result."""

import pytest

from kassanalysis.build import build_tables


@pytest.fixture(scope="session")
def built(project):
    result = build_tables(project)
    assert result.errors == [], result.errors
    return result
