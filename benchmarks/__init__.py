"""Load benchmarks for moot: ``python -m benchmarks.run`` (or ``make bench``); see README.md."""
