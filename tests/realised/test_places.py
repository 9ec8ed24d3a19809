"""« code postal commune » → INSEE code, on the embedded La Poste table."""

import pytest

from planner.realised.places import PlaceError, fold_name, region_places, split_place


@pytest.fixture(scope="module")
def places():
    return region_places()


def test_shared_postal_code_is_told_apart_by_name(places):
    # 18100 is the postal code of Vierzon, Méry-sur-Cher, Saint-Georges-sur-la-Prée,
    # Saint-Hilaire-de-Court and Thénioux
    assert places.find("18100 Vierzon") == "18279"
    assert places.find("18100 Thénioux") == "18263"
    assert places.find("Mairie, salle du conseil, 18100 THENIOUX") == "18263"
    assert places.find("18100 ST GEORGES SUR LA PREE") == "18210"


def test_unknown_name_under_a_shared_postal_code_is_ambiguous(places):
    with pytest.raises(PlaceError) as err:
        places.find("18100 Vierzonville")
    message = str(err.value)
    assert "code postal 18100" in message
    assert "Thénioux (18263)" in message and "Vierzon (18279)" in message


def test_misspelt_name_under_a_postal_code_of_one_commune(places):
    assert places.find("18510 Menetou Sallon") == "18145"  # 18510 is Menetou-Salon's alone


def test_wrong_postal_code_with_a_name_of_its_departement(places):
    assert places.find("18100 Massay") == "18140"
    with pytest.raises(PlaceError, match="inconnu dans la région"):
        places.find("75011 Paris")


def test_cedex_and_old_commune_names(places):
    assert places.find("18020 BOURGES CEDEX 9") == "18033"
    # Fains-la-Folie is a commune déléguée of Éole-en-Beauce (28406)
    assert places.find("28150 Fains-la-Folie") == "28406"


def test_name_alone_and_preferred_communes(places):
    assert places.find("Massay") == "18140"
    with pytest.raises(PlaceError, match=r"plusieurs communes portent ce nom.*ajoutez le code postal"):
        places.find("Contres")  # one in the Cher, one in Loir-et-Cher
    assert places.find("Contres", prefer={"41059"}) == "41059"


def test_insee_codes(places):
    assert places.find("18279") == "18279"
    with pytest.raises(PlaceError, match="code INSEE « 75056 » inconnu"):
        places.find("75056")
    assert places.find("75056", prefer={"75056"}) == "75056"


def test_empty_place(places):
    with pytest.raises(PlaceError, match="lieu vide"):
        places.find(" - ")


def test_helpers(places):
    assert split_place("Médiathèque, 18100 Vierzon") == ("18100", "Vierzon")
    assert split_place("Vierzon") == ("", "Vierzon")
    assert fold_name("Saint-Georges-sur-la-Prée") == fold_name("ST GEORGES SUR LA PREE")
    assert places.name("18263") == "Thénioux" and places.name("99999") == "99999"
