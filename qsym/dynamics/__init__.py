"""Ways of getting dynamics: one module per kind of master equation."""
