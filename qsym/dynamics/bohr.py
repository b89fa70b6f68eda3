"""Bohr frequencies and the eigen-operator (jump operator) decomposition
``A = sum_omega A(omega)``, ``A(omega) = sum_{E_n - E_m = omega} |m><m|A|n><n|``
(Breuer-Petruccione eq. 3.118)."""
from __future__ import annotations


import numpy as np
import sympy as sp

from ..algebra.spectrum import _is_zero
from ..algebra.symbols import DefinedSymbol, expand_definitions
from ..numeric.sampling import sample_parameters

__all__ = ["sign_on_domain", "Transition", "decompose", "eigenoperators", "name_frequencies"]


def sign_on_domain(expr, model, *, n: int = 400, seed: int = 12345) -> tuple[int, str]:
    """Sign (+1, -1, 0) of a real expression over the model's physical domain.

    Decided by SymPy's assumptions when it can; otherwise by evaluating on ``n`` seeded
    samples of the domain (``model.domain`` ranges, ``model.assumptions`` relations).  The
    second return value says how the sign was established.  A sign that changes across the
    domain is an error that asks for the assumption that fixes it.
    """
    e = sp.simplify(expand_definitions(expr))
    if e.is_zero:
        return 0, "identically zero"
    if e.is_positive:
        return 1, "from the symbols' assumptions"
    if e.is_negative:
        return -1, "from the symbols' assumptions"
    syms = sorted(e.free_symbols | set().union(*(a.free_symbols for a in model.assumptions)), key=str)
    samples = sample_parameters(syms, n, seed=seed, domain=model.domain, assumptions=model.assumptions)
    f = sp.lambdify(syms, e, "numpy")
    vals = np.real(np.asarray(f(*[samples[s] for s in syms]), dtype=complex)) * np.ones(n)
    scale = np.max(np.abs(vals)) or 1.0
    if np.all(np.abs(vals) < 1e-12 * scale):
        return 0, f"zero at all {n} sampled points"
    if np.all(vals > 0):
        return 1, f"positive at all {n} sampled points of the domain {_dom_text(model)}"
    if np.all(vals < 0):
        return -1, f"negative at all {n} sampled points of the domain {_dom_text(model)}"
    ipos, ineg = int(np.argmax(vals)), int(np.argmin(vals))
    pt = lambda i: {str(s): round(float(samples[s][i]), 4) for s in syms}
    raise ValueError(
        f"the sign of {expr} = {e} changes across the parameter domain (positive at {pt(ipos)}, "
        f"negative at {pt(ineg)}); the transition's direction is then not fixed. Add the assumption "
        f"that fixes it, e.g. OpenSystem(..., assumptions=[{e} > 0]) or a narrower `domain`")


def _dom_text(model) -> str:
    parts = [str(a) for a in model.assumptions]
    parts += [f"{lo:g} <= {s} <= {hi:g}" for s, (lo, hi) in model.domain]
    return "(" + ", ".join(parts) + "; remaining symbols log-uniform on [0.3, 3])" if parts else "(default ranges)"


class Transition:
    """A matrix element ``<m|A|n>`` (0-based) with the energy ``E_n - E_m`` it releases."""

    __slots__ = ("m", "n", "amplitude", "release")

    def __init__(self, m, n, amplitude, release):
        self.m, self.n, self.amplitude, self.release = m, n, amplitude, release


def decompose(A_eig: sp.Matrix, energies) -> list[tuple[sp.Expr, list[Transition]]]:
    """Group the non-zero elements of ``A`` (eigenbasis) by Bohr frequency ``E_n - E_m``,
    merging frequencies that are symbolically equal (degenerate Bohr frequencies)."""
    groups: list[tuple[sp.Expr, list[Transition]]] = []
    d = A_eig.shape[0]
    for n in range(d):
        for m in range(d):
            a = A_eig[m, n]
            if _is_zero(a):
                continue
            w = sp.simplify(energies[n] - energies[m])
            for g in groups:
                if _is_zero(g[0] - w):
                    g[1].append(Transition(m, n, a, g[0]))
                    break
            else:
                groups.append((w, [Transition(m, n, a, w)]))
    return groups


def eigenoperators(spectrum, op) -> dict:
    """``{omega: A(omega)}`` with ``A = sum_omega A(omega)``, ``A(omega)`` in the eigenbasis and
    ``omega = E_n - E_m`` the energy released by its transitions ``n -> m``
    (Breuer-Petruccione eq. 3.118).  Symbolically equal frequencies are merged."""
    A = spectrum.in_eigenbasis(op)
    out = {}
    for w, trans in decompose(A, spectrum.energies):
        M = sp.zeros(*A.shape)
        for t in trans:
            M[t.m, t.n] = t.amplitude
        out[w] = sp.ImmutableMatrix(M)
    return out


def name_frequencies(freqs: list[sp.Expr], model, base: str = "omega") -> dict:
    """Readable symbols for positive transition frequencies.

    A frequency that is already a single symbol keeps it.  Otherwise: two composite
    frequencies are named ``omega_-`` < ``omega_+`` (the usual notation for a split pair);
    more are named ``omega_1 < omega_2 < ...`` by their order on the domain.
    """
    composite = [w for w in freqs if not (w.is_Symbol or w.is_number)]
    names = {w: w for w in freqs if w not in composite}
    if not composite:
        return names
    syms = sorted(set().union(*(w.free_symbols for w in composite)) |
                  set().union(*(a.free_symbols for a in model.assumptions)), key=str)
    smp = sample_parameters(syms, 64, seed=7, domain=model.domain, assumptions=model.assumptions)
    means = []
    for w in composite:
        f = sp.lambdify(syms, expand_definitions(w), "numpy")
        means.append(float(np.median(np.real(f(*[smp[s] for s in syms])) * np.ones(64))))
    order = [composite[i] for i in np.argsort(means)]
    labels = ["-", "+"] if len(order) == 2 else [str(k + 1) for k in range(len(order))]
    for w, lab in zip(order, labels):
        names[w] = DefinedSymbol(f"{base}_{lab}", w, positive=True)
    return names
