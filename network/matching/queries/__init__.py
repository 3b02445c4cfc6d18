"""Matching reads, one module per job: who takes part in which round and what they listed, the profiles the
fit score reads, and what publishing a run would do. They build selects and return rows; they write
nothing (the writes are in ``network.matching.services``)."""
