"""Random physical parameter samples over a model's domain (seeded, reproducible)."""
from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["default_range", "sample_parameters"]


def default_range(symbol: sp.Symbol) -> tuple[float, float, str]:
    """Default sampling range ``(low, high, law)`` by assumptions: positive integers (mode
    numbers) log-uniform integers in [1, 20]; positive symbols log-uniform on [0.3, 3]; other
    real symbols uniform on [-3, 3]."""
    if symbol.is_integer and symbol.is_positive:
        return 1, 20, "log"
    if symbol.is_positive or symbol.is_nonnegative:
        return 0.3, 3.0, "log"
    return -3.0, 3.0, "uniform"


def sample_parameters(symbols, n: int, *, seed: int = 0, domain=(), assumptions=(),
                      max_tries: int = 200) -> dict[sp.Symbol, np.ndarray]:
    """``n`` samples of ``symbols`` that satisfy every relation in ``assumptions``.

    ``domain`` is a sequence of ``(symbol, (low, high))`` overriding the default ranges
    (log-uniform when low > 0).  Raises ValueError naming the assumptions when fewer than
    ``n`` samples satisfy them after ``max_tries`` rounds.
    """
    symbols = list(symbols)
    rng = np.random.default_rng(seed)
    dom = dict(domain)
    checks = [(sorted(a.free_symbols, key=str), sp.lambdify(sorted(a.free_symbols, key=str), a, "numpy"))
              for a in assumptions]
    out = {s: np.empty(0) for s in symbols}
    need = n
    for _ in range(max_tries):
        m = max(2 * need, 16)
        batch = {}
        for s in symbols:
            if s in dom:
                lo, hi = dom[s]
                law = "log" if lo > 0 else "uniform"
            else:
                lo, hi, law = default_range(s)
            u = rng.random(m)
            if s.is_integer:  # integers drawn log-uniformly on [lo, hi], bounds included
                lo_, hi_ = np.log(max(lo, 1) - 0.5 if lo >= 1 else lo), np.log(hi + 0.5)
                batch[s] = np.clip(np.rint(np.exp(lo_ + u * (hi_ - lo_))), lo, hi) if lo >= 1 else \
                    np.rint(lo + u * (hi - lo))
                continue
            batch[s] = np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo))) if law == "log" else lo + u * (hi - lo)
        ok = np.ones(m, bool)
        for syms, f in checks:
            missing = [s for s in syms if s not in batch]
            if missing:
                raise ValueError(f"assumption involves {missing}, which are not parameters being sampled")
            ok &= np.asarray(f(*[batch[s] for s in syms]), bool)
        for s in symbols:
            out[s] = np.concatenate([out[s], batch[s][ok]])
        need = n - len(out[symbols[0]]) if symbols else 0
        if need <= 0:
            return {s: v[:n] for s, v in out.items()}
    raise ValueError(f"could not draw {n} samples satisfying the assumptions {list(assumptions)}; "
                     f"widen the domain or relax the assumptions")
