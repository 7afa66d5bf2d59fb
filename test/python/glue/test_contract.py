"""The dataset contract (--contract): defaults, and errors that name the bad field and value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from curation.contract import IMPUTE_VALUE, NullPolicy, default_null_policy, parse_contract
from curation.errors import ContractError


def document(**fields: Any) -> str:
    return json.dumps({"version": 1, "label": "price", "problemType": "regression", **fields})


def test_defaults_are_applied() -> None:
    contract = parse_contract(document())

    assert contract.label == "price"
    assert contract.columns == {}
    assert contract.drop_columns == ()
    assert (contract.max_categories, contract.deduplicate, contract.max_quarantined_fraction, contract.delimiter) == (
        50, True, 0.5, ",")


def test_columns_are_parsed_with_their_rules() -> None:
    contract = parse_contract(document(
        columns={
            "age": {"type": "numeric", "nulls": "impute-mean", "min": 0, "max": 120},
            "city": {"type": "categorical", "values": ["Paris", "Rome"], "nulls": {"impute": "other"}},
            "rooms": {"type": "numeric", "nulls": {"impute": "3"}},
        },
        dropColumns=["id"], maxCategories=10, deduplicate=False, maxQuarantinedFraction=0.2, delimiter=";",
    ))

    assert contract.columns["age"].nulls == NullPolicy("impute-mean")
    assert (contract.columns["age"].min, contract.columns["age"].max) == (0.0, 120.0)
    assert contract.columns["city"].values == ("Paris", "Rome")
    assert contract.columns["city"].nulls == NullPolicy(IMPUTE_VALUE, "other")
    assert contract.columns["rooms"].nulls == NullPolicy(IMPUTE_VALUE, 3.0)  # numeric text becomes a number
    assert (contract.drop_columns, contract.max_categories, contract.delimiter) == (("id",), 10, ";")
    assert json.loads(json.dumps(contract.to_json()))["columns"]["city"]["nulls"] == {"impute": "other"}


def test_default_null_policies() -> None:
    assert default_null_policy("label", "numeric").kind == "quarantine"
    assert default_null_policy("feature", "numeric").kind == "impute-median"
    assert default_null_policy("feature", "categorical") == NullPolicy(IMPUTE_VALUE, "missing")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"version": 2}, "contract field version: expected 1, got 2"),
        ({"problemType": "ranking"}, 'problemType: expected one of regression, binary_classification, got "ranking"'),
        ({"label": ""}, 'contract field label: expected a non-empty string, got ""'),
        ({"dropColumn": ["id"]}, "contract field dropColumn: unknown field 'dropColumn'. Did you mean 'dropColumns'?"),
        ({"columns": {"a": {"type": "numeric", "mni": 0}}}, "columns.a.mni: unknown field 'mni'. Did you mean 'min'?"),
        ({"columns": {"age": {"type": "number"}}},
         'columns.age.type: expected \'numeric\' or \'categorical\', got "number"'),
        ({"columns": {"age": {"type": "numeric", "nulls": "drop"}}}, 'columns.age.nulls: unknown null policy "drop"'),
        ({"columns": {"c": {"type": "categorical", "nulls": "impute-mean"}}}, "'impute-mean' needs a numeric column"),
        ({"columns": {"age": {"type": "numeric", "nulls": {"impute": "n/a"}}}},
         'columns.age.nulls.impute: "n/a" is not a number'),
        ({"columns": {"c": {"type": "categorical", "nulls": {"impute": 0}}}}, 'write it as text: "0"'),
        ({"columns": {"age": {"type": "numeric", "min": 5, "max": 1}}}, "columns.age.min: min 5 is greater than max 1"),
        ({"columns": {"age": {"type": "numeric", "min": "0"}}}, 'columns.age.min: expected a finite number, got "0"'),
        ({"columns": {"c": {"type": "categorical", "min": 0}}},
         "columns.c.min: min and max apply to numeric columns only"),
        ({"columns": {"c": {"type": "categorical", "values": ["a", "a"]}}},
         "columns.c.values: ['a'] listed more than once"),
        ({"columns": {"c": {"type": "categorical", "values": [" a"]}}},
         "columns.c.values[0]: ' a' has leading or trailing"),
        ({"columns": {"c": {"type": "numeric", "values": ["a"]}}}, "values apply to categorical columns only"),
        ({"columns": {"price": {"type": "categorical"}}}, "the label column 'price' must be numeric"),
        ({"columns": {"price": {"type": "numeric", "nulls": "impute-mean"}}}, "the label column cannot be imputed"),
        ({"columns": {"age": {"type": "numeric", "min": 0, "nulls": {"impute": -1}}}}, "-1 is outside [min, max]"),
        ({"dropColumns": ["price"]}, "contract field dropColumns: it drops the label column 'price'"),
        ({"dropColumns": ["a"], "columns": {"a": {"type": "numeric"}}}, "['a'] also described in columns"),
        ({"maxCategories": 0}, 'maxCategories: expected a whole number from 1 to 10000, got 0'),
        ({"maxCategories": True}, "maxCategories: expected a whole number from 1 to 10000, got true"),
        ({"deduplicate": "yes"}, 'deduplicate: expected true or false, got "yes"'),
        ({"maxQuarantinedFraction": 1.5}, "maxQuarantinedFraction: expected a number from 0 to 1, got 1.5"),
        ({"delimiter": ";;"}, 'delimiter: expected one character other than a quote or a line break, got ";;"'),
        ({"delimiter": '"'}, "delimiter: expected one character other than a quote"),
    ],
)
def test_errors_name_the_field_and_value(fields: dict[str, Any], expected: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse_contract(document(**fields))
    assert expected in str(caught.value)


def test_malformed_json_is_reported_with_its_start() -> None:
    with pytest.raises(ContractError, match=r"--contract is not valid JSON .*it starts with '\{version: 1\}'"):
        parse_contract("{version: 1}")
    with pytest.raises(ContractError, match="must be a JSON object, got list"):
        parse_contract("[]")
