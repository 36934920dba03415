"""Sources: every input read into a ``Source`` (text, metadata, article body).

The first stage. ``inputs.gather_sources`` takes what the user gave (files,
folders, URLs, feeds), ``ingest`` reads text files and their metadata, ``clean``
tells article from page chrome by line rules, ``webpage`` extracts a page's main
text (trafilatura), ``feeds`` splits RSS/Atom into entries (feedparser),
``fetch`` downloads URLs within ``FetchLimits``, ``files`` reads local files (regular
files only, within ``Limits``) and ``encoding`` decodes bytes.
Nothing here imports spaCy.
"""
