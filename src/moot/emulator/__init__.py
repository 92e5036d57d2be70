"""The emulator: ``moot emulate`` and what its admin API adds (seed, reset, state, clock).

``seed``, ``control`` and ``errors`` sit beside the services (they use services and storage, and the
admin routes use them); ``server`` starts the whole thing and sits at the top, beside the CLI.
"""
