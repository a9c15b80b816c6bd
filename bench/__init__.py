"""Performance benchmark of the after-sales service: `python -m bench.run` (see README.md)."""
