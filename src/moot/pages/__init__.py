"""Server-rendered pages: join (``/j``), start (``/s``), the meeting room and the inspector (``/moot/``)."""
