"""Shared fixtures. Tests that need ../shared skip cleanly when it is absent."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MARSAD_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the checkout (override with MARSAD_SHARED); skips the test when absent."""
    if not (SHARED / "CODEBOOK.md").exists():
        pytest.skip("../shared is not beside the checkout")
    return SHARED
