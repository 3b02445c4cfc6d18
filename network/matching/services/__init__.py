"""Matching writes, one module per job: a round's life (opened, open to lists, published), the lists and
answers of its participants, the program's overrides, and the engine's runs. They change the session's
objects, raise ``RoundError`` (``lifecycle``) and never commit; the reads the pages need are in
``network.matching.queries``."""
