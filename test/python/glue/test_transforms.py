"""The DataFrame transforms: what counts as missing and numeric, reasons per row, de-duplication, encoding."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pyspark.sql import functions as F

from curation.clean import classify, reason_codes_for, stage
from curation.contract import parse_contract
from curation.encode import encode
from curation.expressions import NUMBER_PATTERN, REASON, number, source_text, text
from curation.infer import columns_to_infer, decide_type, draft_schema, finalize_schema, profile, statistics
from curation_testkit import load


def reasons(frame: Any) -> list[str | None]:
    """Reasons in file order (ordered by the first column, which these tests number)."""
    rows = frame.select(source_text(0).alias("k"), REASON).collect()
    return [row[REASON] for row in sorted(rows, key=lambda r: int(r["k"]))]


def schema_for(spark: Any, tmp_path: Path, csv: str, **contract: Any) -> tuple[Any, Any, Any]:
    """Header, raw rows and the draft schema the job would infer (its profile of the staged rows)."""
    document = {"version": 1, "label": "y", "problemType": "regression", **contract}
    parsed = parse_contract(json.dumps(document))
    header, raw = load(spark, tmp_path, csv, parsed.delimiter)
    to_infer = columns_to_infer(parsed, header)
    checks = draft_schema(parsed, header, {name: "categorical" for name in to_infer}, "t.csv")
    numeric = [c.name for c in checks.columns if c.type == "numeric"] + to_infer
    profiled = profile(stage(raw, checks, header, numeric, False), header, to_infer)
    types = {name: decide_type(name, p, parsed.max_categories, "t.csv") for name, p in profiled.columns.items()}
    types = {n: parsed.columns[n].type if n in parsed.columns else t for n, t in types.items()}
    return header, raw, draft_schema(parsed, header, types, "t.csv")


NUMBER_CASES = [
    (" 12 ", 12.0), ("-3.5", -3.5), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0), ("1E-2", 0.01), ("+4", 4.0),
    ("\t7\t", 7.0), ("0.1", 0.1), ("NaN", None), ("inf", None), ("Infinity", None), ("1d", None), ("1,5", None),
    ("1.2.3", None), ("e5", None), ("0x1p3", None), ("1e400", None), ("1 000", None), ("\u0661\u0662", None),
    ("-", None), ("", None), ("   ", None),
]


def test_numbers_are_plain_finite_decimals(spark: Any) -> None:
    frame = spark.createDataFrame([(i, value) for i, (value, _) in enumerate(NUMBER_CASES)], "i int, v string")
    rows = frame.select("i", number(text("v")).alias("n"), text("v").alias("t")).orderBy("i").collect()

    for (value, expected), row in zip(NUMBER_CASES, rows):
        assert row["n"] == expected, value
        trimmed = value.strip(" \t")
        assert row["t"] == (trimmed or None), value
        # The regular expression that documents the rule (and that ml/inference.py applies) agrees.
        matches = re.match(NUMBER_PATTERN, trimmed) is not None and abs(float(trimmed)) < float("inf")
        assert matches == (expected is not None), value


def test_each_bad_row_gets_its_first_reason(spark: Any, tmp_path: Path) -> None:
    csv = (
        "id,y,age,city,color\n"
        "1,1,30,Paris,red\n"          # kept
        "2,,30,Paris,red\n"           # missing_label
        "3,maybe,30,Paris,red\n"      # invalid_label
        "4,2,30,Paris,red\n"          # invalid_label (binary classification)
        "5,0,abc,Paris,red\n"         # not_numeric:age
        "6,0,-1,Paris,red\n"          # below_min:age
        "7,0,200,Paris,red\n"         # above_max:age
        "8,0,30,,red\n"               # null_value:city
        "9,0,30,Rome,red\n"           # unknown_category:city
        "10,0,30,Paris\n"             # wrong_field_count
        "11,0,abc,,red\n"             # first failing check wins: not_numeric:age before null_value:city
        "12,1,30,Paris,\n"            # kept: color imputes 'missing'
    )
    header, raw, schema = schema_for(
        spark, tmp_path, csv, problemType="binary_classification", dropColumns=["id"],
        columns={"age": {"type": "numeric", "min": 0, "max": 120},
                 "city": {"type": "categorical", "values": ["Paris", "Lyon"], "nulls": "quarantine"}},
    )

    classified = classify(raw, schema, header, deduplicate=True)

    assert reasons(classified) == [
        None, "missing_label", "invalid_label", "invalid_label", "not_numeric:age", "below_min:age", "above_max:age",
        "null_value:city", "unknown_category:city", "wrong_field_count", "not_numeric:age", None,
    ]
    assert reason_codes_for(schema.column("city")) == ["null_value:city", "unknown_category:city"]


def test_duplicates_compare_trimmed_values_and_keep_the_first(spark: Any, tmp_path: Path) -> None:
    csv = "k,y,x\n1,5,a\n1, 5 ,a\n2,5,a\n1,5,a\n3,bad,a\n3,bad,a\n4,7,\n4,7, \n"
    header, raw, schema = schema_for(spark, tmp_path, csv)

    rows = classify(raw, schema, header, deduplicate=True).select(
        *[source_text(i).alias(f"_c{i}") for i in range(3)], REASON).collect()
    by_position = sorted(rows, key=lambda r: (r["_c0"], r[REASON] or ""))
    codes = [row[REASON] for row in by_position]

    # key 1: three rows equal after trimming -> the first kept, two duplicates; a repeated bad row keeps its own
    # reason (it is not a duplicate of a kept row); '' and ' ' are both missing.
    assert codes == [None, "duplicate", "duplicate", None, "invalid_label", "invalid_label", None, "duplicate"]
    first_of_key_1 = [r for r in rows if r["_c0"] == "1" and r[REASON] is None]
    assert len(first_of_key_1) == 1 and first_of_key_1[0]["_c1"] == "5"  # the untrimmed repeat is the duplicate

    kept_without_dedup = classify(raw, schema, header, deduplicate=False).where(F.col(REASON).isNull()).count()
    assert kept_without_dedup == 6


def test_inferred_types_and_one_hot_order(spark: Any, tmp_path: Path) -> None:
    csv = "y,size,color,score\n1,10,red,0.5\n2,,blue,\n3,30,green,0.7\n4,40,,0.9\n5,50,red,x\n"
    header, raw, schema = schema_for(spark, tmp_path, csv, columns={"score": {"type": "numeric"}})

    assert [(c.name, c.type, c.inferred) for c in schema.features] == [
        ("size", "numeric", True), ("color", "categorical", True), ("score", "numeric", False)]
    classified = classify(raw, schema, header, deduplicate=True)
    groups = classified.groupBy(REASON).agg(F.count(F.lit(1)).alias("rows"), *statistics(schema, header)).collect()
    kept_stats = next(row.asDict() for row in groups if row[REASON] is None)
    kept = classified.where(F.col(REASON).isNull())
    final = finalize_schema(kept_stats, kept, schema, header, 50, "t.csv")

    # Sorted categories seen in the kept rows, plus the imputed 'missing'; medians over the kept rows.
    assert final.column("color").categories == ("blue", "green", "missing", "red")
    assert final.column("size").impute_value == 30.0  # median of 10, 30, 40 (row 5 is not kept: score 'x')
    assert final.column("score").impute_value == 0.7  # median of 0.5, 0.7, 0.9
    assert final.feature_columns == ["size", "color=blue", "color=green", "color=missing", "color=red", "score"]
    encoded = encode(kept, final, header)
    assert encoded.columns == ["y", *final.feature_columns]
    rows = sorted(tuple(r) for r in encoded.collect())
    assert rows == [
        (1.0, 10.0, 0, 0, 0, 1, 0.5),
        (2.0, 30.0, 1, 0, 0, 0, 0.7),
        (3.0, 30.0, 0, 1, 0, 0, 0.7),
        (4.0, 40.0, 0, 0, 1, 0, 0.9),
    ]


def test_contract_values_fix_the_order_and_the_imputed_category_is_appended(spark: Any, tmp_path: Path) -> None:
    csv = "y,color\n1,red\n0,\n1,blue\n"
    header, raw, schema = schema_for(
        spark, tmp_path, csv, problemType="binary_classification",
        columns={"color": {"type": "categorical", "values": ["red", "blue"], "nulls": {"impute": "none"}}},
    )

    assert schema.column("color").categories == ("red", "blue", "none")
    encoded = encode(classify(raw, schema, header, True).where(F.col(REASON).isNull()), schema, header)
    assert encoded.schema["y"].dataType.simpleString() == "int"  # a classification label is an integer
    assert sorted(tuple(r) for r in encoded.collect()) == [(0, 0, 0, 1), (1, 0, 1, 0), (1, 1, 0, 0)]


def test_mode_imputation_breaks_ties_by_the_smallest_value(spark: Any, tmp_path: Path) -> None:
    csv = "y,n,c\n1,5,b\n2,3,a\n3,5,a\n4,3,b\n5,,\n"
    header, raw, schema = schema_for(
        spark, tmp_path, csv,
        columns={"n": {"type": "numeric", "nulls": "impute-mode"},
                 "c": {"type": "categorical", "nulls": "impute-mode"}},
    )
    kept = classify(raw, schema, header, True).where(F.col(REASON).isNull())
    stats = kept.agg(F.count(F.lit(1)).alias("rows"), *statistics(schema, header)).first().asDict()

    final = finalize_schema(stats, kept, schema, header, 50, "t.csv")

    assert (final.column("n").impute_value, final.column("c").impute_value) == (3.0, "a")
    assert final.column("c").categories == ("a", "b")  # a mode is a seen value: nothing appended
