"""Media helpers: which URLs an item may point at and which project files may be served."""
