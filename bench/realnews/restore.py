"""Write the corpus articles' metadata sidecars from the manifests and check their texts.

    python bench/realnews/restore.py [--lee] [FOLDER]

For each story's ``manifest.toml``: writes ``articles/FILE.toml`` (the sidecar format
briefing reads) and checks ``articles/FILE.txt`` against the manifest's sha256. With
``--lee``, also writes the Lee corpus articles from gensim's test data. Prints what is
missing or changed; exit 1 when anything is. FOLDER is a corpus folder (default this
one; ``bench/realnews-holdout`` for the held-out stories).
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sidecar(article: dict[str, object]) -> str:
    lines = []
    for key in ("outlet", "title", "url", "author"):
        if article.get(key):
            lines.append(f"{key} = {_toml_string(str(article[key]))}")
    if article.get("published"):
        lines.append(f"published = {article['published']}")
    return "\n".join(lines) + "\n"


def restore(folder: Path = HERE, *, lee: bool = False) -> int:
    problems = 0
    lee_texts: list[str] | None = None
    for manifest in sorted(folder.glob("*/manifest.toml")):
        folder = manifest.parent / "articles"
        folder.mkdir(exist_ok=True)
        for article in tomllib.loads(manifest.read_text(encoding="utf-8"))["article"]:
            text_path = folder / f"{article['file']}.txt"
            if article.get("retrieve") == "lee" and lee:
                if lee_texts is None:
                    sys.path.insert(0, str(HERE.parent))
                    from corpus import lee_articles

                    lee_texts = lee_articles()
                text_path.write_text(lee_texts[article["line"]] + "\n", encoding="utf-8")
            (folder / f"{article['file']}.toml").write_text(sidecar(article), encoding="utf-8")
            if not text_path.exists():
                print(f"missing: {text_path.relative_to(folder)} ({article['retrieve']}: "
                      f"{article.get('url') or article.get('line')})")
                problems += 1
                continue
            digest = hashlib.sha256(text_path.read_bytes()).hexdigest()
            if digest != article["sha256"]:
                print(f"changed: {text_path.relative_to(folder)} (sha256 {digest[:12]}, "
                      f"manifest {article['sha256'][:12]})")
                problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    folders = [Path(a) for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(restore(folders[0] if folders else HERE, lee="--lee" in sys.argv[1:]))
