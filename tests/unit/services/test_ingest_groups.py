"""How ingest groups files for loaders running side by side: one country per group."""

from __future__ import annotations

from pathlib import Path

from scoreline.services.ingest import _country_groups

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"


def test_files_of_one_country_share_a_group_in_order_largest_group_first(
    tmp_path: Path,
) -> None:
    files = sorted(SAMPLE.glob("*/*.csv"))
    stray = tmp_path / "league.csv"
    stray.write_text("Div,Date\nXX,13/08/2022\n", encoding="utf-8")
    groups = _country_groups([*files, stray])
    assert sorted(p for group in groups for p in group) == sorted([*files, stray])
    by_division = [sorted({p.parent.name for p in group}) for group in groups]
    assert sorted(map(tuple, by_division)) == sorted(
        [("D1",), ("E0",), ("F1",), ("I1",), ("SP1",), (tmp_path.name,)]
    )
    assert all(group == sorted(group) for group in groups)
    sizes = [sum(p.stat().st_size for p in group) for group in groups]
    assert sizes == sorted(sizes, reverse=True)
    assert groups[-1] == [stray]
