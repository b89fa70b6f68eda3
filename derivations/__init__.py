"""One module per published result, each reading like the paper's appendix.

Every module defines ``NAME`` (the CLI name), ``TITLE``, ``SEED``, ``definitions()`` and
``results()`` (a list of :class:`qsym.Result`); published expressions appear only in the
``published_*`` transcriptions, which are compared against the derived ones.
"""
import importlib
import pkgutil

REGISTRY = {}


def _discover():
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "NAME") and hasattr(mod, "results"):
            REGISTRY[mod.NAME] = mod
    return REGISTRY


def registry():
    """``{name: module}`` of every derivation."""
    return REGISTRY or _discover()
