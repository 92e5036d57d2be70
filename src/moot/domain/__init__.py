"""Pure Python domain: Zoom's rules, no web framework and no SQL."""
