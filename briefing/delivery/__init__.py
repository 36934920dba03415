"""Delivery: a finished brief written, embedded, mailed or archived.

The last stage. ``output`` writes bytes atomically, ``embed`` makes the HTML
fragment for an intranet page, ``mail`` composes and sends the email and
``archive`` keeps each source's text and metadata as files.
"""
