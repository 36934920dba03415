"""briefing: news articles in, a one-page briefing note out, every line cited.

The library API mirrors the pipeline: ``sources.gather_sources`` -> ``facts.extract``
-> ``facts.group`` -> ``brief.select`` -> ``brief.render``; ``build_brief`` runs them
all. The names below are imported when first used, so ``import briefing`` (and
``python -m briefing`` in a Python without the dependencies, which then says how
to install them) needs nothing beyond the standard library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        BriefingError,
        InputError,
        ModelError,
        OutputError,
        RenderError,
        ThemesError,
    )
    from .facts.themes import load_themes
    from .models import Brief, BriefTheme, Citation, Fact, Item, Source, Theme, Themes
    from .pipeline import BuildOptions, build_brief, render_output, write_output

__version__ = "0.1.0"

_HOMES = {
    **dict.fromkeys(("BriefingError", "InputError", "ModelError", "OutputError",
                     "RenderError", "ThemesError"), ".errors"),
    "load_themes": ".facts.themes",
    **dict.fromkeys(("Brief", "BriefTheme", "Citation", "Fact", "Item", "Source", "Theme",
                     "Themes"), ".models"),
    **dict.fromkeys(("BuildOptions", "build_brief", "render_output", "write_output"),
                    ".pipeline"),
}

__all__ = [
    "Brief",
    "BriefTheme",
    "BriefingError",
    "BuildOptions",
    "Citation",
    "Fact",
    "InputError",
    "Item",
    "ModelError",
    "OutputError",
    "RenderError",
    "Source",
    "Theme",
    "Themes",
    "ThemesError",
    "__version__",
    "build_brief",
    "load_themes",
    "render_output",
    "write_output",
]


def __getattr__(name: str) -> Any:
    """``briefing.build_brief`` and the rest: imported from their module when first used."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'briefing' has no attribute {name!r}")
    value = getattr(importlib.import_module(home, __name__), name)
    globals()[name] = value
    return value
