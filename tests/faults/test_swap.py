"""The swap itself (``kassanalysis.io.swap_in``) and the clean-up of what a killed run left
(``recover_leftovers``), on plain folders."""

from __future__ import annotations

import pytest

from kassanalysis import io as kio

pytestmark = pytest.mark.faults


def publish(reports, name, text):
    staging = kio.make_staging_dir(reports / kio.VERSIONS, f"{kio.STAGING_PREFIX}{name}-")
    (staging / "x.txt").write_text(text)
    return kio.swap_in(staging, reports / name, reports / kio.VERSIONS)


def test_swap_replaces_the_link_and_removes_the_old_version(tmp_path):
    first = publish(tmp_path, "2013-14-Q1", "old")
    second = publish(tmp_path, "2013-14-Q1", "new")

    target = tmp_path / "2013-14-Q1"
    assert target.is_symlink() and (target / "x.txt").read_text() == "new"
    assert target.resolve() == second
    assert not first.exists()


def test_a_folder_from_before_links_is_replaced_whole(tmp_path):
    """A real ``reports/<period>`` folder (from version one) is exchanged with the link in
    one step; its contents are then removed."""
    target = tmp_path / "2013-14-Q1"
    target.mkdir()
    (target / "x.txt").write_text("v1")

    publish(tmp_path, "2013-14-Q1", "new")

    assert target.is_symlink() and (target / "x.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2013-14-Q1", kio.VERSIONS]


def test_set_aside_folder_is_restored_when_the_target_is_missing(tmp_path):
    """A run of version one killed between its two renames left only the set-aside copy."""
    aside = tmp_path / ".processed-old-4242"
    aside.mkdir()
    (aside / "README.md").write_text("tracked")

    done = kio.recover_leftovers(tmp_path / "processed")

    assert (tmp_path / "processed" / "README.md").read_text() == "tracked"
    assert done == [f"restored {tmp_path / 'processed'} from .processed-old-4242"]


def test_clean_up_for_one_period_leaves_another_periods_pack(tmp_path):
    """'2013-14' is a prefix of '2013-14-Q1': cleaning the year's leftovers must not touch
    the quarter's pack or its staging folder."""
    publish(tmp_path, "2013-14-Q1", "quarter")
    publish(tmp_path, "2013-14", "year")
    quarter_staging = kio.make_staging_dir(
        tmp_path / kio.VERSIONS, f"{kio.STAGING_PREFIX}2013-14-Q1-"
    )

    assert kio.recover_leftovers(tmp_path / "2013-14") == []

    assert (tmp_path / "2013-14-Q1" / "x.txt").read_text() == "quarter"
    assert quarter_staging.is_dir()
    assert kio.recover_leftovers(tmp_path / "2013-14-Q1") == [f"removed leftover {quarter_staging}"]
