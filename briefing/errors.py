"""The exceptions briefing raises: one base class, one subclass per kind of fault.

Each message is one line that names the file or value, says what is wrong and
how to fix it; the CLI prints it as it is and exits non-zero.
"""

from __future__ import annotations

__all__ = [
    "BriefingError",
    "DeliveryError",
    "InputError",
    "MailError",
    "ModelError",
    "OutputError",
    "RenderError",
    "ThemesError",
]


class BriefingError(Exception):
    """Base class of every error briefing reports to its user."""

    exit_code = 1


class InputError(BriefingError):
    """An input file or folder is missing, unreadable, empty or not text."""


class ThemesError(BriefingError):
    """The themes file cannot be read or does not validate."""


class ModelError(BriefingError):
    """The spaCy model is missing or of the wrong kind."""


class RenderError(BriefingError):
    """A template or the PDF layout failed."""


class OutputError(BriefingError):
    """The output cannot be written where the user asked."""


class MailError(BriefingError):
    """An address, the mail config or the server settings are unusable."""


class DeliveryError(BriefingError):
    """The SMTP server could not be reached or refused the message; it was saved first."""

    exit_code = 75  # EX_TEMPFAIL: nothing is lost, send the saved message later
