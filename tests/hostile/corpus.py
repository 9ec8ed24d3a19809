"""The hostile corpus: malformed files of every shape a user (or an attacker) could hand the tool.

Built in memory (nothing large is committed); ``python -m tests.hostile.corpus DIR`` writes the
files to ``DIR`` (default ``tests/data/hostile``, ignored by git) to try them by hand in the
dashboard or on the command line. Each file is named after what is wrong with it.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "tests" / "data" / "plan_vierzon_petit.json"
REQUESTS_HEADER = "code_insee;venue;weekdays;blackout_dates;has_power;expected_participants;contact_email"
TERRITORY_HEADER = "code_insee;nom;population;lat;lon"
REQUEST_ROW = "18103;Salle des fêtes;mar;2030-03-03;oui;8;mairie@exemple.fr"
TERRITORY_ROW = "18103;Graçay;1234;47,1426;1,84564"


@dataclass(frozen=True)
class Hostile:
    """One malformed file: its name (the extension says what it pretends to be) and its bytes."""

    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def named(self, suffix: str) -> str:
        """The file's name under another extension (a renamed file), kept when already right."""
        return self.name if self.suffix == suffix else f"{Path(self.name).stem}{suffix}"


def _csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


def _both(*rows: str) -> bytes:
    """Rows that are wrong for both a requests file and a territory file, under each header."""
    return _csv(REQUESTS_HEADER, *rows)


def _workbook(rows: list[list[object]], *, sheets: int = 1, first_empty: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    if first_empty:
        sheet.title = "Notes"
        sheet = book.create_sheet("Demandes")
    for row in rows:
        sheet.append(row)
    for i in range(1, sheets):
        book.create_sheet(f"Feuille {i + 1}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _replace_member(xlsx: bytes, member: str, content: bytes, *, level: int = 6) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, content if item.filename == member else src.read(item.filename))
    return out.getvalue()


def _header_cells(header: str) -> list[object]:
    return list(header.split(";"))


def _plan(change: Callable[[dict], object] | None = None) -> bytes:
    data = json.loads(PLAN.read_text(encoding="utf-8"))
    if change is not None:
        result = change(data)
        if result is not None:
            data = result
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _set(path: list, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def build() -> list[Hostile]:
    """Every file of the corpus, in a stable order (random bytes come from a fixed seed)."""
    rng = random.Random(15)
    valid_requests = _csv(REQUESTS_HEADER, REQUEST_ROW)
    valid_xlsx = _workbook([_header_cells(REQUESTS_HEADER), REQUEST_ROW.split(";")])
    files = [
        # --- text that is not a table
        Hostile("vide.csv", b""),
        Hostile("lignes_vides.csv", b"\n\n\n"),
        Hostile("espaces_seulement.csv", b"   \t  \r\n  "),
        Hostile("bom_seul.csv", b"\xef\xbb\xbf"),
        Hostile("entete_demandes_seul.csv", _csv(REQUESTS_HEADER)),
        Hostile("entete_territoire_seul.csv", _csv(TERRITORY_HEADER)),
        Hostile("une_colonne_sans_fin_de_ligne.csv", b"code_insee"),
        Hostile("octets_aleatoires.csv", bytes(rng.randrange(256) for _ in range(4096))),
        Hostile("image_png_renommee.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
        Hostile("pdf_renomme.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        Hostile("csv_compresse_gzip.csv", gzip.compress(valid_requests)),
        Hostile("html_renomme.csv", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        Hostile("json_renomme.csv", _plan()),
        # --- encodings
        Hostile("utf16_avec_bom.csv", valid_requests.decode().encode("utf-16")),
        Hostile("utf16_gros_boutien_sans_bom.csv", valid_requests.decode().encode("utf-16-be")),
        Hostile("utf32.csv", valid_requests.decode().encode("utf-32")),
        Hostile("double_bom.csv", b"\xef\xbb\xbf\xef\xbb\xbf" + valid_requests),
        Hostile(
            "octets_invalides_utf8_et_cp1252.csv",
            _both("18103;Salle \x81\x8d\x8f;mar;;oui;8;")[:-1] + b"\x81\x8d\n",
        ),
        Hostile("substituts_isoles.csv", _csv(REQUESTS_HEADER) + b"18103;Salle \xed\xa0\x80;mar;;oui;8;\n"),
        Hostile("octet_nul_dans_cellule.csv", _csv(REQUESTS_HEADER, "18103;Sal\x00le;mar;;oui;8;")),
        Hostile("octets_nuls_seulement.csv", b"\x00" * 1000),
        Hostile("caracteres_de_controle.csv", _both("18103;\x1b[31mSalle\x07\x08;mar;;oui;8;")),
        Hostile("texte_bidirectionnel.csv", _both("18103;\u202eellaS\u202c;mar;;oui;8;")),
        # --- shapes of a table
        Hostile("cellule_geante.csv", _both('18103;"' + "x" * 1_000_000 + '";mar;;oui;8;')),
        Hostile("ligne_geante_sans_retour.csv", b"a;" * 1_000_000),
        Hostile(
            "cinq_mille_colonnes.csv", _csv(";".join(f"c{i}" for i in range(5000)), ";".join("1" * 5000))
        ),
        Hostile("guillemet_non_referme.csv", _both('18103;"Salle des fêtes;mar;;oui;8;')),
        Hostile("guillemet_au_milieu.csv", _both('18103;Sal"le;mar;;oui;8;')),
        Hostile(
            "separateurs_melanges.csv",
            _csv(REQUESTS_HEADER, "18103,Salle,mar,,oui,8,", "18279;Salle;ven;;non;;"),
        ),
        Hostile("tabulations.csv", _csv(REQUESTS_HEADER.replace(";", "\t"), REQUEST_ROW.replace(";", "\t"))),
        Hostile("separateurs_seulement.csv", b";;;;;;\n;;;;;;\n"),
        Hostile("mauvais_entete.csv", b"foo,bar\n1,2\n"),
        Hostile("colonnes_en_double.csv", _csv(REQUESTS_HEADER + ";code_insee", REQUEST_ROW + ";18279")),
        Hostile("colonnes_en_double_casse.csv", _csv("code_insee;CODE_INSEE ;venue", "18103;18279;Salle")),
        Hostile(
            "formules.csv",
            _both(
                "=cmd|' /C calc'!A0;=HYPERLINK(\"http://x\");mar;;oui;8;",
                "+1+1;@SUM(A1);mar;;oui;-2+3;",
            ),
        ),
        Hostile("retours_chariot_seuls.csv", valid_requests.replace(b"\n", b"\r")),
        Hostile("nombres_absurdes.csv", _csv(TERRITORY_HEADER, "18103;A;1e309;47;2", "18279;B;NaN;inf;-inf")),
        Hostile(
            "dates_absurdes.csv",
            _both("18103;Salle;mar;31/02/2030;oui;8;", "18279;Salle;mar;99999-01-01;oui;8;"),
        ),
        Hostile(
            "codes_insee_flottants.csv", _both("18103.0;Salle;mar;;oui;8;", "1.8103E4;Salle;mar;;oui;8;")
        ),
        Hostile("fin_binaire.csv", valid_requests + b"\x1a\x00\xff\xfe" + bytes(range(256))),
        Hostile(
            "cinq_mille_lignes_derniere_fausse.csv",
            _csv(REQUESTS_HEADER, *([REQUEST_ROW] * 5000), "pas;une;demande;;;;"),
        ),
        Hostile("ligne_sep_excel.csv", b"sep=;\n" + valid_requests),
        Hostile("lignes_de_titre.csv", _csv("Demandes 2030", "", REQUESTS_HEADER, REQUEST_ROW)),
        Hostile(
            "balisage_dans_les_cellules.csv",
            _both("18103;[clic](javascript:alert(1)) <img src=x onerror=alert(1)> **gras**;mar;;oui;8;"),
        ),
        Hostile("cellules_sur_plusieurs_lignes.csv", _both('18103;"Salle\ndes\r\nfêtes";mar;;oui;"8\n";')),
        Hostile("territoire_latitudes_texte.csv", _csv(TERRITORY_HEADER, "18103;A;100;nord;est")),
        # --- workbooks that are not, or hostile workbooks
        Hostile("csv_renomme.xlsx", valid_requests),
        Hostile("classeur_tronque.xlsx", valid_xlsx[: len(valid_xlsx) // 2]),
        Hostile("octets_aleatoires.xlsx", bytes(rng.randrange(256) for _ in range(4096))),
        Hostile("vide.xlsx", b""),
        Hostile("zip_sans_classeur.xlsx", _zip({"lisez-moi.txt": b"bonjour"})),
        Hostile(
            "bombe_zip.xlsx",
            _replace_member(
                valid_xlsx, "xl/worksheets/sheet1.xml", b"<a>" + b" " * 30_000_000 + b"</a>", level=9
            ),
        ),
        Hostile("classeur_vide.xlsx", _workbook([])),
        Hostile(
            "donnees_sur_la_deuxieme_feuille.xlsx",
            _workbook([_header_cells(REQUESTS_HEADER)], first_empty=True),
        ),
        Hostile("entete_seul.xlsx", _workbook([_header_cells(REQUESTS_HEADER)])),
        Hostile(
            "formules.xlsx",
            _workbook(
                [
                    _header_cells(REQUESTS_HEADER),
                    ["=1/0", '=HYPERLINK("http://x";"clic")', "mar", "", "oui", "=8", ""],
                ]
            ),
        ),
        Hostile(
            "cellules_typees.xlsx",
            _workbook(
                [
                    _header_cells(REQUESTS_HEADER),
                    [18103.5, True, 3, _datetime(), None, -1e300, 1.5],
                    ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"],
                ]
            ),
        ),
        Hostile("ancien_format_ou_protege.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088)),
        Hostile(
            "entites_en_cascade.xlsx", _replace_member(valid_xlsx, "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
        ),
        Hostile(
            "xml_invalide.xlsx",
            _replace_member(valid_xlsx, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"),
        ),
        Hostile(
            "dimension_demesuree.xlsx",
            _replace_member(
                valid_xlsx,
                "xl/worksheets/sheet1.xml",
                _sheet_xml(valid_xlsx).replace(
                    b'<dimension ref="A1:G2"/>', b'<dimension ref="A1:XFD1048576"/>'
                ),
            ),
        ),
        Hostile("sans_types_de_contenu.xlsx", _drop_member(valid_xlsx, "[Content_Types].xml")),
        # --- plan files (JSON) that lie
        Hostile("plan_territoire_chemin_serveur.json", _plan(_set(["territory"], "/etc/hosts.csv"))),
        Hostile(
            "plan_territoire_chemin_inexistant.json", _plan(_set(["territory"], "/nexiste/pas/communes.csv"))
        ),
        Hostile("plan_territoire_remontee.json", _plan(_set(["territory"], "../../../../etc/passwd.txt"))),
        Hostile("plan_territoire_url.json", _plan(_set(["territory"], "file:///etc/passwd.csv"))),
        Hostile("plan_territoire_pas_un_texte.json", _plan(_set(["territory"], {"fichier": "/etc/hosts"}))),
        Hostile("plan_tronque.json", _plan()[:500]),
        Hostile("json_liste.json", b"[1, 2, 3]"),
        Hostile("json_null.json", b"null"),
        Hostile("json_texte.json", b'"un plan"'),
        Hostile("json_objet_vide.json", b"{}"),
        Hostile("plan_seances_pas_une_liste.json", _plan(_set(["sessions"], "beaucoup"))),
        Hostile("plan_valeurs_fausses.json", _plan(_bad_values)),
        Hostile("plan_imbrication_profonde.json", b"[" * 100_000 + b"]" * 100_000),
        Hostile("plan_nombre_geant.json", _plan(_set(["rules", "sessions_per_series"], 10**400))),
        Hostile("plan_nan.json", _plan().replace(b'"repeat_value": 0.5', b'"repeat_value": NaN')),
        Hostile("plan_version_inconnue.json", _plan(_set(["format_version"], 999))),
        Hostile("plan_utf16.json", _plan().decode().encode("utf-16")),
        Hostile("plan_cle_en_double.json", b'{"territory": "vierzon", "territory": "/etc/hosts.csv"}'),
        Hostile("plan_texte_geant.json", _plan(_set(["kind"], "x" * 5_000_000))),
    ]
    names = [f.name for f in files]
    assert len(set(names)) == len(names), "corpus names must be unique"
    return files


def _datetime():
    from datetime import datetime

    return datetime(2030, 3, 3, 9, 30)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _drop_member(xlsx: bytes, member: str) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    return _zip({i.filename: src.read(i.filename) for i in src.infolist() if i.filename != member})


def _sheet_xml(xlsx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(xlsx)).read("xl/worksheets/sheet1.xml")


def _bad_values(data: dict) -> None:
    data["resources"][0]["seats"] = "douze"
    data["season"]["start"] = "2027-02-31"
    if data.get("sessions"):
        data["sessions"][0]["start"] = "25:99"


def main(argv: list[str]) -> int:
    """Write the corpus to a folder (default ``tests/data/hostile``)."""
    target = Path(argv[0]) if argv else ROOT / "tests" / "data" / "hostile"
    target.mkdir(parents=True, exist_ok=True)
    for item in build():
        (target / item.name).write_bytes(item.data)
    print(f"{len(build())} fichiers écrits dans {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
