"""Sources in another language than the model's are named once and left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.sources.language import written_in

# Articles of our own, in the styles of a wire service and of a Spanish daily.
ENGLISH = (
    "MADRID, March 4 (Reuters) - Spain's government approved a plan on Tuesday to build "
    "two new desalination plants on the Mediterranean coast, as the drought in Catalonia "
    "entered its third year. Water Minister Teresa Ribas said the plants would supply "
    "about a fifth of the region's needs by 2028, and that farmers would pay less for "
    "water than they do now."
)
SPANISH = (
    "El Gobierno aprobó este martes un plan para construir dos nuevas desaladoras en la "
    "costa mediterránea, mientras la sequía en Cataluña entra en su tercer año. La "
    "ministra Teresa Ribas afirmó que las plantas cubrirán alrededor de una quinta parte "
    "de las necesidades de la región en 2028 y que los agricultores pagarán menos por el "
    "agua que ahora."
)
GERMAN = (
    "Die Regierung hat am Dienstag einen Plan gebilligt, zwei neue Entsalzungsanlagen an "
    "der Mittelmeerküste zu bauen, während die Dürre in Katalonien in ihr drittes Jahr "
    "geht. Ministerin Teresa Ribas sagte, die Anlagen würden bis 2028 etwa ein Fünftel "
    "des Bedarfs der Region decken."
)


@pytest.mark.parametrize(
    "text, expected, found",
    [
        (ENGLISH, "en", None),  # the model's own language
        (SPANISH, "en", "es"),
        (GERMAN, "en", "de"),
        (SPANISH, "es", None),  # with a Spanish model, Spanish is its own
        (ENGLISH, "es", "en"),
        ("Gobierno aprobó plan desaladoras.", "en", None),  # too short to tell: kept
    ],
)
def test_written_in_names_a_language_only_when_sure(
    text: str, expected: str, found: str | None
) -> None:
    assert written_in(text, expected) == found


def test_a_source_in_another_language_is_named_once_and_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "1-elpais.txt").write_text(SPANISH + "\n", encoding="utf-8")
    (folder / "2-reuters.txt").write_text(ENGLISH + "\n", encoding="utf-8")
    for name, outlet in (("1-elpais", "El Diario"), ("2-reuters", "Reuters")):
        (folder / f"{name}.toml").write_text(f'outlet = "{outlet}"\npublished = 2025-03-04\n',
                                             encoding="utf-8")
    target = tmp_path / "brief.json"
    result = CliRunner().invoke(app, ["build", str(folder), "--format", "json", "--output",
                                      str(target), "--date", "2025-03-05", "--no-cache"])
    assert result.exit_code == 3, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "Spanish" in line]
    assert warnings == [
        f"briefing: warning: {folder / '1-elpais.txt'}: written in Spanish (es), not in "
        "English, the language of the model; left out (a model of Spanish reads it: --model)"
    ]
    brief = json.loads(target.read_text(encoding="utf-8"))
    assert [(s["id"], s["outlet"]) for s in brief["sources"]] == [("1", "Reuters")]
    quotes = [c["quote"] for t in brief["themes"] for i in t["items"] for c in i["citations"]]
    assert quotes and all(q in ENGLISH for q in quotes)


def test_inspect_warns_of_the_source_a_build_would_leave_out(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "1-elpais.txt").write_text(SPANISH + "\n", encoding="utf-8")
    (folder / "2-reuters.txt").write_text(ENGLISH + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["inspect", str(folder)])
    assert result.exit_code == 3, result.stderr  # as a build's: an input was left out
    assert "written in Spanish (es), not in English" in result.stderr
    assert "El Gobierno" not in result.stdout  # its sentences are not shown as facts
    assert "Spain's government approved a plan" in result.stdout
