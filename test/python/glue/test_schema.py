"""schema.json: what a run records, and the checks that make a pinned schema safe to apply."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from curation.contract import IMPUTE_VALUE, QUARANTINE, NullPolicy
from curation.errors import SchemaError
from curation.schema import ColumnSchema, Schema, category_list, schema_from_json

SCHEMA = Schema(
    label="price",
    problem_type="regression",
    source_columns=("id", "rooms", "city", "price"),
    drop_columns=("id",),
    columns=(
        ColumnSchema("price", "label", "numeric", QUARANTINE),
        ColumnSchema("rooms", "feature", "numeric", NullPolicy("impute-median"), 3.0, min=0.0, inferred=True),
        ColumnSchema("city", "feature", "categorical", NullPolicy(IMPUTE_VALUE, "missing"), "missing",
                     categories=("Paris", "Rome", "missing"), inferred=True),
    ),
)


def edited(change: Callable[[dict[str, Any]], None]) -> str:
    document = SCHEMA.to_json()
    change(document)
    return json.dumps(document)


def test_round_trip() -> None:
    text = SCHEMA.dumps()

    assert schema_from_json(text, "s3://p/curated/r1/schema.json") == SCHEMA
    assert json.loads(text)["featureColumns"] == ["rooms", "city=Paris", "city=Rome", "city=missing"]
    assert json.loads(text)["columns"][1] == {
        "name": "rooms", "role": "feature", "type": "numeric", "nulls": "impute-median", "imputeValue": 3.0,
        "min": 0.0, "max": None, "categories": None, "inferred": True,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schemaVersion=2), "field schemaVersion: expected 1, got 2"),
        (lambda d: d["featureColumns"].reverse(), "featureColumns: it does not match the columns and their categories"),
        (lambda d: d["columns"][1].update(imputeValue=None), 'columns[1] (rooms).imputeValue: policy "impute-median" '
                                                               "needs a number, got null"),
        (lambda d: d["columns"][2].update(categories=[]), "columns[2] (city).categories: expected a non-empty list"),
        (lambda d: d["columns"][2].update(imputeValue="other"), "'other' is not one of the categories"),
        (lambda d: d["columns"][2].update(nulls="drop"), 'columns[2] (city).nulls: unknown null policy "drop"'),
        (lambda d: d["columns"][0].update(role="feature"), "columns[0] (price).role: got \"feature\""),
        (lambda d: d.update(label="rooms"), "field label: 'rooms' is not the first column ('price')"),
        (lambda d: d["sourceColumns"].remove("city"), "sourceColumns: it lacks the described column(s) ['city']"),
    ],
)
def test_a_pinned_schema_that_was_edited_is_refused(change: Callable[[dict[str, Any]], None], message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        schema_from_json(edited(change), "s3://p/schema.json")

    assert str(caught.value).startswith("pinned schema s3://p/schema.json: field ")
    assert message in str(caught.value)
    assert "Pin the schema.json written by an earlier run of this job, unchanged" in str(caught.value)


def test_a_pinned_schema_that_is_not_json_is_named() -> None:
    with pytest.raises(SchemaError, match="pinned schema s3://p/x.json is not valid JSON"):
        schema_from_json("{", "s3://p/x.json")


def test_category_lists() -> None:
    assert category_list(["b", "a", "b"], QUARANTINE, None) == ("a", "b")
    assert category_list(["b"], NullPolicy(IMPUTE_VALUE, "missing"), None) == ("b", "missing")
    # A contract's values keep their order; the imputed value is appended when the contract does not list it.
    assert category_list([], NullPolicy(IMPUTE_VALUE, "none"), ["z", "a"]) == ("z", "a", "none")
    assert category_list([], NullPolicy(IMPUTE_VALUE, "a"), ["z", "a"]) == ("z", "a")
    assert category_list(["x"], NullPolicy("impute-mode"), None) == ("x",)


def test_colliding_one_hot_names_are_refused() -> None:
    schema = Schema(
        label="y", problem_type="regression", source_columns=("y", "a", "a=b"), drop_columns=(),
        columns=(
            ColumnSchema("y", "label", "numeric", QUARANTINE),
            ColumnSchema("a", "feature", "categorical", QUARANTINE, categories=("b", "c")),
            ColumnSchema("a=b", "feature", "numeric", NullPolicy("impute-median"), 1.0),
        ),
    )
    with pytest.raises(SchemaError, match="encoded feature name 'a=b' \\(from column 'a=b'\\) is also produced by "
                                          "column 'a'"):
        schema.check_output_names()
