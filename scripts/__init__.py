"""Developer tools run from a checkout (``python -m scripts.<name>``); not part of the moot package."""
