"""File-level problems: each ends with a clear error naming the file, and the raw file is never modified."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pytest

from curation.errors import SourceFileError
from curation_testkit import Run, contract, read_parts, write_source

CASES = [
    pytest.param(b"", contract(), ["the file is empty", "Upload a CSV file with a header row"], id="empty"),
    pytest.param(b"\n\n  \n", contract(), ["the file is empty"], id="blank-lines-only"),
    pytest.param(b"y,a,b\n", contract(), ["it has a header but no data rows"], id="header-only"),
    pytest.param(b"y;a;b\n1;2;3\n4;5;6\n", contract(),
                 ["reading it with the contract's delimiter ',' finds one column 'y;a;b' and no label column 'y'",
                  "the header looks delimited by ';'", "set the contract's delimiter to ';'"], id="wrong-delimiter"),
    pytest.param(b"y\tb\n1\t2\n", contract(), ["the header looks delimited by tab"], id="tab-delimited"),
    pytest.param(b"a,b\n1,2\n", contract(),
                 ["the label column 'y' is not in the header (columns: a, b)", "fix the stage's labelColumn"],
                 id="label-missing"),
    pytest.param(b"y,a\n1,2\n", contract(columns={"rooms": {"type": "numeric"}}),
                 ["column(s) ['rooms'] that the contract or the pinned schema require are not in the header"],
                 id="contract-column-missing"),
    pytest.param("y,city\n1,Paris\n2,K\xf6ln\n3,Rome\n".encode("latin-1"), contract(),
                 ["line 3 is not UTF-8 text (it starts with b'2,K\\xf6ln')", "Save the file as UTF-8"],
                 id="latin-1-row"),
    pytest.param("y,st\xe4dt\n1,Paris\n".encode("latin-1"), contract(), ["line 1 is not UTF-8 text"],
                 id="latin-1-header"),
    pytest.param(b"y,a,A\n1,2,3\n", contract(),
                 ["the header names ['A', 'a'] more than once (names are compared ignoring case)"],
                 id="duplicate-header"),
    pytest.param(b",y,a\n0,1,2\n", contract(),
                 ["header column 1 of 3 has no name", "export it with index=False"], id="unnamed-index-column"),
    pytest.param(b"y,a,b\n1,,x\n2,,y\n", contract(),
                 ["column 'a' is empty in every row, so its type cannot be inferred"], id="empty-column"),
]


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), os.stat(path).st_mtime_ns


@pytest.mark.parametrize(("content", "contract_json", "expected"), CASES)
def test_file_level_problem_fails_clearly_and_leaves_the_file_untouched(
    tmp_path: Path, run_job: Callable[..., Run], content: bytes, contract_json: str, expected: list[str]
) -> None:
    source = write_source(tmp_path, content)
    before = snapshot(source)

    with pytest.raises(SourceFileError) as caught:
        run_job(source, contract_json)

    message = str(caught.value)
    assert message.startswith(f"source file {source}: ")
    for part in expected:
        assert part in message
    assert snapshot(source) == before
    assert not (tmp_path / "run" / "curated" / "data").exists()


def test_a_missing_file_is_named(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    with pytest.raises(SourceFileError, match="nowhere.csv: it cannot be read .*Check that the object exists"):
        run_job(tmp_path / "nowhere.csv", contract())


def test_a_mostly_ragged_file_writes_quarantine_and_report_then_fails(tmp_path: Path,
                                                                      run_job: Callable[..., Run]) -> None:
    # Unquoted thousands separators: most rows have one field too many.
    source = write_source(tmp_path, "y,price,rooms\n1,1,200,3\n2,950,2\n3,2,100,4\n4,3,400,5\n")
    before = snapshot(source)

    with pytest.raises(SourceFileError) as caught:
        run_job(source, contract())

    assert "3 of 4 rows (75.0%) were set aside, more than maxQuarantinedFraction=0.5 (wrong_field_count: 3)" in str(
        caught.value)
    assert "check the delimiter and that values holding the delimiter are quoted" in str(caught.value)
    quarantine = read_parts(tmp_path / "run" / "quarantine")
    assert list(quarantine["quarantine_raw_line"]) == ["1,1,200,3", "3,2,100,4", "4,3,400,5"]
    assert caught.value.report["rows"]["quarantinedByReason"] == {"wrong_field_count": 3}  # type: ignore[attr-defined]
    assert snapshot(source) == before


def test_a_file_where_every_row_is_ragged_still_accounts_for_every_row(tmp_path: Path,
                                                                       run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, "y,a\n1,2,3\n4,5,6\n")

    with pytest.raises(SourceFileError, match=r"2 of 2 rows \(100.0%\) were set aside"):
        run_job(source, contract())

    assert len(read_parts(tmp_path / "run" / "quarantine")) == 2


def test_valid_utf8_replacement_characters_are_not_mistaken_for_bad_bytes(tmp_path: Path,
                                                                          run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, "y,name\n1,a\ufffdb\n2,c\n")

    run = run_job(source, contract())

    assert run.report["rows"]["out"] == 2
    assert "name=a\ufffdb" in run.schema()["featureColumns"]


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_name(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    run = run_job(write_source(tmp_path, "\ufeffy,a\n1,2\n3,4\n"), contract())

    assert run.schema()["sourceColumns"] == ["y", "a"]


def test_semicolon_files_work_with_the_contracts_delimiter(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    run = run_job(write_source(tmp_path, 'y;a;b\n1;2,5;"x;y"\n3;4;z\n'), contract(delimiter=";"))

    assert run.schema()["featureColumns"] == ["a=2,5", "a=4", "a=missing", "b=missing", "b=x;y", "b=z"]
    assert run.report["rows"]["out"] == 2


def test_raw_file_is_unchanged_by_a_successful_run(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, "y,a\n1,2\n1,2\n3,\n")
    before = snapshot(source)

    run_job(source, contract())

    assert snapshot(source) == before
    assert sorted(os.listdir(source.parent)) == ["upload.csv"]


def test_spark_output_of_the_report_is_consistent(spark: Any) -> None:
    assert spark.version == "3.5.4"


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 20])
def test_the_header_is_read_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    chunk: int) -> None:
    # The header is read without Spark, chunk by chunk: lines, CRLFs and multi-byte characters cut anywhere.
    from curation import storage

    monkeypatch.setattr(storage, "_CHUNK", chunk)
    source = write_source(tmp_path, "\r\n  \r\n\ufeffy,städt,größe\r\n1,2,3\r\n".encode("utf-8"))

    assert storage.first_nonblank_line(str(source)) == "\ufeffy,städt,größe"
    assert storage.first_nonblank_line(str(write_source(tmp_path, b"\n \n", "blank.csv"))) is None
    assert storage.first_nonblank_line(str(write_source(tmp_path, b"y,a", "no-newline.csv"))) == "y,a"
