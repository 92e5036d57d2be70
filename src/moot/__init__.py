"""moot: a self-hostable server that speaks Zoom's REST API v2 for meetings."""

__version__ = "0.1.0"
