"""Global Born-Markov master equation in the secular (Davies) approximation.

For each coupling ``L`` to bath ``X`` (RWA form ``H_SB = L^dag X + L X^dag``) the jump
operators are the eigen-components ``L(omega)`` with ``omega > 0`` (energy released to the
bath), with emission rate ``g_X(omega)(1 + n_X(omega))`` for ``L(omega)`` and absorption rate
``g_X(omega) n_X(omega)`` for ``L(omega)^dag``.  This is Fogedby's kernel (eqs. 5.2-5.3 with
the secular approximation, which keeps only terms of equal Bohr frequency) and
Breuer-Petruccione eqs. 3.140-3.145 with the Lamb shift dropped (as in the paper).

A thermalizer bath (Diosi 2014, slide 2) has emission rate ``g(omega)`` and absorption rate
``g(omega) e^{-omega/T}`` instead.  The model's extra :class:`qsym.model.Dissipator` terms
(Diosi's incoherent coupling ``L^K_AB``, slides 3-4) are added in the eigenbasis unchanged: they
are given in Lindblad form and are not subject to the Bohr decomposition or the secular
approximation.
"""
from __future__ import annotations

import warnings

import sympy as sp

from ..algebra.spectrum import spectrum as symbolic_spectrum
from ..baths import ThermalizerBath, expand_occupations
from ..model import OpenSystem
from .bohr import decompose, name_frequencies, sign_on_domain
from .master import JumpChannel, MasterEquation, dissipator_channels

__all__ = ["global_master_equation", "SecularityWarning"]


from ..errors import SecularityWarning


def _level_pair(t) -> str:
    return f"{t.n + 1}->{t.m + 1}"


def global_master_equation(model: OpenSystem, spectrum=None) -> MasterEquation:
    """Derive the global secular Born-Markov (Davies) master equation of ``model``.

    Args:
        model: the open system.
        spectrum: a precomputed :func:`qsym.spectrum` of ``model.H`` (computed if omitted).

    Returns:
        A :class:`MasterEquation` with one set of channels per bath.  Its ``conditions``
        record the direction of each transition (sign of its Bohr frequency) and how it
        was established, and the secular condition (distinct Bohr frequencies must differ by
        more than the rates).
    """
    spec = spectrum if spectrum is not None else symbolic_spectrum(model.H)
    E = spec.energies
    raw = []  # (bath, coupling form, omega>0 expr, transitions, sign-conditions)
    conditions: list[tuple[sp.Basic, str]] = []
    for c in model.couplings:
        A = spec.in_eigenbasis(c.operator)
        for w, trans in decompose(A, E):
            sgn, how = sign_on_domain(w, model)
            if sgn == 0:
                if c.form == "hermitian":
                    raw.append((c, sp.S.Zero, trans))
                    continue
                warnings.warn(
                    f"coupling to bath {c.bath.name!r} has zero-frequency components "
                    f"(transitions {', '.join(_level_pair(t) for t in trans)} between degenerate levels); "
                    f"an RWA bath of positive-frequency modes does not drive them (g(0) = 0) - dropped",
                    SecularityWarning, stacklevel=2)
                continue
            cond = sp.StrictGreaterThan(sgn * w, 0)
            if cond is not sp.true and all(cond != c0 for c0, _ in conditions):
                conditions.append((cond, how))
            if sgn < 0 and c.form == "rwa":
                warnings.warn(
                    f"coupling operator for bath {c.bath.name!r} has energy-raising components "
                    f"(transitions {', '.join(_level_pair(t) for t in trans)}, omega = {w}); in the RWA form "
                    f"L^dag X + L X^dag they are energy non-conserving and are dropped. Pass the "
                    f"lowering operator (e.g. sigma^-) or use form='hermitian'", SecularityWarning, stacklevel=2)
                continue
            raw.append((c, w if sgn > 0 else -w, trans, sgn))
    positive = []
    for item in raw:
        if item[1] != 0 and not any(sp.simplify(item[1] - p) == 0 for p in positive):
            positive.append(item[1])
    names = name_frequencies(positive, model)

    def named(w):
        for p, s in names.items():
            if sp.simplify(p - w) == 0:
                return s
        raise AssertionError(w)

    channels: list[JumpChannel] = []
    for item in raw:
        c, w = item[0], item[1]
        bath = c.bath
        if w == 0:  # Hermitian coupling, pure dephasing
            x = sp.Symbol("w", positive=True)
            if isinstance(bath, ThermalizerBath):  # emission g(w) and absorption g(w) e^{-w/T} meet at g(0+)
                rate = sp.limit(expand_occupations(bath.emission_rate(x)), x, 0, "+")
            else:
                rate = sp.limit(expand_occupations(bath.spectral.expression(x, bath.name) * (1 + bath.occupation(x))),
                                x, 0, "+")
            if not rate.is_finite:
                raise ValueError(
                    f"the zero-frequency (dephasing) rate of bath {bath.name!r} is {rate}: its spectral "
                    f"function must vanish linearly at omega -> 0 (e.g. OhmicSpectrum) for a Hermitian coupling "
                    f"with diagonal elements")
            op = tuple(((t.m, t.n), t.amplitude) for t in item[2])
            channels.append(JumpChannel(bath.name, op, sp.S.Zero, rate))
            continue
        sgn = item[3]
        ws = named(w)
        trans = item[2]
        if sgn > 0:  # L(w): releases w
            down = tuple(((t.m, t.n), t.amplitude) for t in trans)
            up = tuple(((t.n, t.m), sp.conjugate(t.amplitude)) for t in trans)
        else:  # Hermitian coupling component that absorbs |w|: S(-w) = S(w)^dag pairs with it
            up = tuple(((t.m, t.n), t.amplitude) for t in trans)
            down = None
        if down is not None:
            channels.append(JumpChannel(bath.name, down, ws, bath.emission_rate(ws)))
            if c.form == "rwa":
                channels.append(JumpChannel(bath.name, up, -ws, bath.absorption_rate(ws)))
        else:
            channels.append(JumpChannel(bath.name, up, -ws, bath.absorption_rate(ws)))
    freqs = tuple(dict.fromkeys(names[p] for p in positive))
    if len(freqs) > 1:
        conditions.append((sp.Symbol("secular"),
                           "distinct transition frequencies " + ", ".join(map(str, freqs)) +
                           " must differ by much more than the rates g(omega)(1+2n(omega)); check "
                           "numerically with qsym.numeric.NumericSolver (SecularityWarning)"))
    channels += dissipator_channels(model, spec)
    return MasterEquation(model, spec, tuple(channels), "global secular (Davies)", freqs, tuple(conditions))
