"""Exceptions and warnings shared by the symbolic and the numeric paths."""
from __future__ import annotations

__all__ = ["SecularityWarning", "NonUniqueSteadyStateError"]


class SecularityWarning(UserWarning):
    """The secular (Davies) approximation is questionable: distinct Bohr frequencies closer
    than the rates, degenerate levels, or components an RWA coupling cannot drive."""


class NonUniqueSteadyStateError(ValueError):
    """The stationary state is not unique: it depends on the initial state."""
