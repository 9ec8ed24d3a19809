"""Age bands as the Coop writes them and as sheets do."""

import pytest

from planner.errors import InputError
from planner.realised.age_bands import (
    COOP_AGE_BANDS,
    age_band_label,
    age_band_order,
    check_age_band,
    is_age_band,
    parse_age_band,
)

# trancheAgeLabels of the Coop's source, in its order (oldest first)
COOP_LABELS = (
    "70 ans et plus",
    "60 - 69 ans",
    "40 - 59 ans",
    "25 - 39 ans",
    "18 - 24 ans",
    "12 - 17 ans",
    "Moins de 12 ans",
)


def test_every_coop_label_reads_as_a_coop_band():
    assert sorted((parse_age_band(label) for label in COOP_LABELS), key=age_band_order) == list(
        COOP_AGE_BANDS
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("60 à 69 ans", "60-69"),
        ("60-74", "60-74"),
        ("75+", "75+"),
        ("75 ans ou plus", "75+"),
        ("moins de 60 ans", "0-59"),
    ],
)
def test_sheet_spellings(text, key):
    assert parse_age_band(text) == key


@pytest.mark.parametrize("text", ["Non communiqué", "non renseigné", "-", ""])
def test_unknown_age(text):
    assert parse_age_band(text) is None and not is_age_band(text)


@pytest.mark.parametrize("text", ["Participants", "42", "seniors"])
def test_not_an_age_band(text):
    with pytest.raises(InputError, match="tranche d'âge illisible"):
        parse_age_band(text)
    assert not is_age_band(text)


def test_labels_and_order():
    assert [age_band_label(k) for k in ("0-11", "60-69", "70+")] == [
        "moins de 12 ans",
        "60 à 69 ans",
        "70 ans et plus",
    ]
    assert sorted(["70+", "0-11", "60-69"], key=age_band_order) == ["0-11", "60-69", "70+"]


def test_reversed_band_is_refused():
    with pytest.raises(InputError):
        check_age_band("69-60")
    with pytest.raises(InputError):
        parse_age_band("69 - 60 ans")
