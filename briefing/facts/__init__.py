"""Facts: sources turned into spaCy-free ``Fact``s and placed under themes.

The second stage. ``extraction`` is its library call (the cache first, then the
rest parsed by an ``engine``: ``workers`` processes of this machine, or the
workers of a Dask ``cluster``); ``factfile`` writes and reads the facts files of
``briefing extract``; ``extract`` holds the spaCy rules (sentences,
quotes, speakers, entities, theme matches) and is imported only where parsing
happens; ``dates`` resolves date expressions; ``cache`` keeps each article's facts
on disk; ``modelinfo`` names the model without importing spaCy; ``themes`` reads
the themes file and ``group`` puts each fact under its theme.
"""
