"""Routes, one module per Zoom resource; each handler parses, calls one service, renders."""
