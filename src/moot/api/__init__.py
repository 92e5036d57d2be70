"""HTTP: the Starlette app, thin routes, authentication and Zoom-style error rendering."""
