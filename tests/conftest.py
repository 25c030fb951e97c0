"""Shared fixtures: the project's own reference data, loaded once."""

from pathlib import Path

import pytest

from kassanalysis import io as kio

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def project() -> kio.ProjectPaths:
    return kio.ProjectPaths(ROOT)


@pytest.fixture(scope="session")
def reference(project):
    return kio.read_reference(project.reference)
