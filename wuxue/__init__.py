"""五学 study knowledge base: offline question answering with cited sources.

The top-level folders ``ingest/``, ``index/``, ``service/`` and ``evaluation/``
are installed as ``wuxue.ingest``, ``wuxue.index``, ``wuxue.service`` and
``wuxue.evaluation``.
"""

__version__ = "0.1.0"
