"""Symbols, operators on named sites, and symbolic spectra."""
