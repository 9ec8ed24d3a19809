"""Streamlit's own widget texts in French.

Streamlit 1.67 writes a few texts of its widgets in English and lets no parameter change them:
the file uploader (« Browse files », « Drag and drop file here », « 20MB per file »), the select
boxes (« Choose an option », « No results », « Select all »), the date picker's months and
weekdays and its « YYYY/MM/DD » hint, the toolbars of charts and tables (« Fullscreen »,
« Download as CSV », « Search »), the run indicator (« Running… », « Stop »). Where a parameter
exists the pages use it (``placeholder=``, ``format=``, ``select_all=False``…); for the rest
:func:`install_french` adds one small script to every page that replaces these texts, and the
``title``, ``aria-label`` and ``placeholder`` attributes that carry them, as soon as they appear.
Only whole texts listed in :data:`EXACT` (or matched by :data:`PATTERNS`) are touched, never the
content of the pages. The browser test ``tests/e2e/test_french_e2e.py`` checks the result on
every page, for every role.
"""

from __future__ import annotations

import json

import streamlit as st

#: Whole English texts of Streamlit's widgets → French.
EXACT: dict[str, str] = {
    # file uploader
    "Browse files": "Parcourir",
    "Upload": "Choisir un fichier",
    "Upload directories": "Choisir un dossier",
    "Drag and drop file here": "Glissez-déposez le fichier ici",
    "Drag and drop a file here": "Glissez-déposez le fichier ici",
    "Drag and drop files here": "Glissez-déposez les fichiers ici",
    "Drag and drop directories here": "Glissez-déposez les dossiers ici",
    "Remove file": "Retirer le fichier",
    "Delete": "Supprimer",
    # select boxes
    "Choose an option": "Choisissez",
    "Choose options": "Choisissez",
    "Select...": "Choisissez…",
    "No results": "Aucun résultat",
    "No options to select": "Aucun choix possible",
    "No options to select.": "Aucun choix possible",
    "Select all": "Tout sélectionner",
    "Clear all": "Tout effacer",
    "Clear": "Effacer",
    "Clear value": "Effacer",
    "Clear all selected items": "Tout effacer",
    "Open": "Ouvrir",
    "Close": "Fermer",
    # date and time pickers
    "Choose date": "Choisir la date",
    "Choose date range": "Choisir les dates",
    "Choose date and time": "Choisir la date et l'heure",
    "Previous month.": "Mois précédent",
    "Next month.": "Mois suivant",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
    "Select a date.": "Choisissez une date.",
    "YYYY/MM/DD": "AAAA/MM/JJ",
    "dd": "jj",
    "yyyy": "aaaa",
    "DD": "JJ",
    "YYYY": "AAAA",
    "dd/mm/yyyy": "jj/mm/aaaa",
    "yyyy/mm/dd": "aaaa/mm/jj",
    "hh": "hh",
    "DD/MM/YYYY": "JJ/MM/AAAA",
    "MM/DD/YYYY": "MM/JJ/AAAA",
    "YYYY-MM-DD": "AAAA-MM-JJ",
    "January": "janvier",
    "February": "février",
    "March": "mars",
    "April": "avril",
    "May": "mai",
    "June": "juin",
    "July": "juillet",
    "August": "août",
    "September": "septembre",
    "October": "octobre",
    "November": "novembre",
    "December": "décembre",
    "Mo": "lu",
    "Tu": "ma",
    "We": "me",
    "Th": "je",
    "Fr": "ve",
    "Sa": "sa",
    "Su": "di",
    # number and text inputs
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Press Enter to apply": "Entrée pour valider",
    "Press Enter to submit form": "Entrée pour envoyer",
    "Show password text": "Afficher le mot de passe",
    "Hide password text": "Masquer le mot de passe",
    "Show password": "Afficher le mot de passe",
    "Hide password": "Masquer le mot de passe",
    # tables, charts, maps
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Exit fullscreen": "Quitter le plein écran",
    "View fullscreen": "Plein écran",
    "Download as CSV": "Télécharger en CSV",
    "Download": "Télécharger",
    "Search": "Rechercher",
    "Add row": "Ajouter une ligne",
    "Delete row": "Supprimer la ligne",
    "Delete rows": "Supprimer les lignes",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Sort ascending": "Trier par ordre croissant",
    "Sort descending": "Trier par ordre décroissant",
    "Format": "Format",
    "Hide column": "Masquer la colonne",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Détacher la colonne",
    "Autosize": "Ajuster la largeur",
    "Copy to clipboard": "Copier",
    "Copied": "Copié",
    "Show data": "Voir les données",
    "Zoom In": "Zoom avant",
    "Zoom Out": "Zoom arrière",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Zoom Reset": "Vue initiale",
    "Reset view": "Vue initiale",
    "Reset North": "Nord en haut",
    "Reset bearing to north": "Nord en haut",
    "Enter fullscreen": "Plein écran",
    "Toggle fullscreen": "Plein écran",
    "Toggle attribution": "Sources de la carte",
    "Toggle Attribution": "Sources de la carte",
    "Save as SVG": "Enregistrer en SVG",
    "Save as PNG": "Enregistrer en PNG",
    "View Source": "Voir la source",
    "Open in Vega Editor": "Ouvrir dans l'éditeur Vega",
    # app chrome
    "Running...": "Calcul…",
    "Running…": "Calcul…",
    "Stop": "Arrêter",
    "Rerun": "Relancer",
    "Always rerun": "Toujours relancer",
    "Connecting": "Connexion…",
    "Main menu": "Menu",
    "Settings": "Réglages",
    "Print": "Imprimer",
    "About": "À propos",
    "Clear cache": "Vider le cache",
    "Collapse sidebar": "Replier le panneau",
    "Expand sidebar": "Déplier le panneau",
    "View more": "Voir plus",
    "View less": "Voir moins",
    "Keyboard shortcuts": "Raccourcis clavier",
    "Loading...": "Chargement…",
    "Please wait...": "Patientez…",
    "None": "—",
    # what screen readers hear (visually hidden, but in the page)
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": (
        "Flèches pour changer de date, Entrée pour choisir, Échap pour fermer."
    ),
    "All selected options have been cleared.": "Tous les choix ont été effacés.",
    "Use left and right to toggle between focused values, press Backspace to remove the currently focused value": (
        "Flèches gauche et droite pour passer d'un choix à l'autre, Retour arrière pour le retirer"
    ),
}

#: Texts with a number inside (a regular expression, its French replacement).
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^Limit ([\d.,]+)\s?MB per file(.*)$", "Limite de $1 Mo par fichier$2"),
    (r"^([\d.,]+)\s?MB per file(.*)$", "$1 Mo par fichier$2"),
    (r"^([\d.,]+)\s?KB per file(.*)$", "$1 Ko par fichier$2"),
    (r"^([\d.,]+)\s?GB per file(.*)$", "$1 Go par fichier$2"),
    (r"^([\d.,]+)\s?MB$", "$1 Mo"),
    (r"^([\d.,]+)\s?KB$", "$1 Ko"),
    (r"^([\d.,]+)\s?B$", "$1 o"),
    (r"^Press (.+)\+Enter to apply$", "$1+Entrée pour valider"),
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^Choose date range, (.+)$", "Choisir les dates, $1"),
    (r"^Choose date, (.+)$", "Choisir la date, $1"),
    (
        r"^Use Up and Down to choose options.*$",
        "Flèches haut et bas pour choisir, Entrée pour valider, Échap pour fermer.",
    ),
    (r"^option (.+), selected\.$", "$1 : choisi."),
    (r"^option (.+), deselected\.$", "$1 : retiré."),
    (
        r"^option (.+) is disabled\. Select another option\.$",
        "$1 n'est pas disponible : choisissez-en un autre.",
    ),
    (r"^option (.+) focused, (\d+) of (\d+)\.(.*)$", "$1, $2 sur $3."),
    (r"^(\d+) results? available(.*)$", "$1 choix possible(s)."),
    (r"^.*is focused ?,.*$", "Liste : tapez pour filtrer, flèche bas pour l'ouvrir."),
    (
        r"^(January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})$",
        "MONTH $2",
    ),
)

_MONTHS = {k: v for k, v in EXACT.items() if k[0].isupper() and k in (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)}  # fmt: skip

_SCRIPT = """
<script>
(function () {
  if (window.__allerVersFrench) { return; }
  window.__allerVersFrench = true;
  const EXACT = %(exact)s;
  const MONTHS = %(months)s;
  const PATTERNS = %(patterns)s.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["title", "aria-label", "placeholder"];
  function french(text) {
    const t = text.trim();
    if (!t) { return null; }
    if (Object.prototype.hasOwnProperty.call(EXACT, t)) { return text.replace(t, EXACT[t]); }
    for (const [re, to] of PATTERNS) {
      const m = t.match(re);
      if (m) {
        let out = t.replace(re, to);
        if (out.startsWith("MONTH ")) { out = MONTHS[m[1]] + out.slice(5); }
        return text.replace(t, out);
      }
    }
    return null;
  }
  function fixElement(el) {
    for (const name of ATTRS) {
      const value = el.getAttribute && el.getAttribute(name);
      if (value) {
        const out = french(value);
        if (out !== null && out !== value) { el.setAttribute(name, out); }
      }
    }
  }
  function fix(root) {
    if (!root) { return; }
    if (root.nodeType === Node.TEXT_NODE) {
      const out = french(root.nodeValue);
      if (out !== null && out !== root.nodeValue) { root.nodeValue = out; }
      return;
    }
    if (root.nodeType !== Node.ELEMENT_NODE) { return; }
    fixElement(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let node = walker.nextNode();
    while (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        const out = french(node.nodeValue);
        if (out !== null && out !== node.nodeValue) { node.nodeValue = out; }
      } else {
        fixElement(node);
      }
      node = walker.nextNode();
    }
  }
  const observer = new MutationObserver((mutations) => {
    for (const m of mutations) {
      if (m.type === "characterData") { fix(m.target); }
      else if (m.type === "attributes") { fixElement(m.target); }
      else { m.addedNodes.forEach(fix); }
    }
  });
  observer.observe(document.body, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS,
  });
  fix(document.body);
  document.documentElement.lang = "fr";
})();
</script>
"""


def french_script() -> str:
    """The script :func:`install_french` adds to the page (its dictionaries as JSON)."""
    return _SCRIPT % {
        "exact": json.dumps(EXACT, ensure_ascii=False),
        "months": json.dumps(_MONTHS, ensure_ascii=False),
        "patterns": json.dumps([list(p) for p in PATTERNS], ensure_ascii=False),
    }


def install_french() -> None:
    """Add the translating script to the page (in the sidebar: it takes no room)."""
    st.sidebar.html(french_script(), unsafe_allow_javascript=True)
