"""Use cases, named after Zoom's operations. Routes call these; they call the domain and the store."""
