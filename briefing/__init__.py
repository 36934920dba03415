"""briefing: news articles in, a one-page briefing note out, every line cited.

The library API mirrors the pipeline: ``read_sources`` -> ``extract`` -> ``group``
-> ``select`` -> ``render``; ``build_brief`` runs them all.
"""

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
from .pipeline import build_brief, render_output, write_output

__version__ = "0.1.0"

__all__ = [
    "Brief",
    "BriefTheme",
    "BriefingError",
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
