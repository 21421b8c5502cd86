"""newsbrief: turn news articles from many outlets into cited story briefs.

The pipeline, one module per stage: ingest → clean → (dedup) → analyse → compare → brief.
The importable operations live in :mod:`newsbrief.pipeline`.
"""

__version__ = "0.1.0"
