"""Second-law certificates for steady-state heat currents.

A certificate writes each bath current as ``q^X = sum_k F_k [n_X(w_k) - n_Y(w_k)]`` with every
``F_k`` provably non-negative under the symbols' assumptions.  Since ``n_X(w) - n_Y(w)`` has
the sign of ``T_X - T_Y`` for every ``w > 0``, this proves that heat flows from the hotter
bath into the system and out to the colder one (Fogedby sec. IV; Clausius).  Where no
certificate is found, the entropy production ``sigma = -sum_X q^X/T_X`` of the closed form is
scanned over the model's domain for a point with ``sigma < 0``, and such a point is confirmed
with the independent numeric solver.

Outcome: ``holds`` (with the certificate), ``violated`` (with the counterexample) or
``undecided``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .baths import _Occupation
from .thermo import entropy_production, flux_form, heat_current

__all__ = ["SecondLawCertificate", "second_law_certificate", "certify_currents", "search_counterexample"]


@dataclass
class SecondLawCertificate:
    status: str  # "holds" | "violated" | "undecided"
    terms: dict = field(default_factory=dict)  # bath -> [(F_k, n_X(w_k) - n_Y(w_k))]
    counterexample: dict | None = None
    reason: str = ""

    def _repr_latex_(self):
        from .latex import latex
        if self.status != "holds":
            return rf"$\text{{second law: {self.status}}}\ ({self.reason})$"
        rows = []
        for b, ts in self.terms.items():
            rhs = " + ".join(rf"\underbrace{{{latex(F)}}}_{{\geq 0}}\left[{latex(d)}\right]" for F, d in ts)
            rows.append(rf"q^{{{b}}} &= {rhs}")
        return r"$\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}$"

    def __repr__(self):
        extra = f", counterexample={self.counterexample}" if self.counterexample else ""
        return f"SecondLawCertificate({self.status}: {self.reason}{extra})"


def _same_frequency_difference(diff) -> bool:
    occ = [t if isinstance(t, _Occupation) else -t for t in diff.args]
    return (len(occ) == 2 and all(isinstance(o, _Occupation) for o in occ)
            and occ[0].args[0] == occ[1].args[0] and occ[0].func is not occ[1].func)


def certify_currents(currents) -> tuple[dict | None, str]:
    """Try to write every current of ``{bath: q}`` (or ``{bath: {channel: q}}``) as
    ``F [n_X(w) - n_Y(w)]`` with ``F`` provably >= 0 under the symbols' assumptions.

    Returns ``(terms, reason)``; ``terms`` is None when no certificate was found, and
    ``reason`` then says which current failed and why.  Works on any expression, whatever
    route it came from (Pauli kernel, moment equations, ...).
    """
    terms = {}
    for b, parts in currents.items():
        if not isinstance(parts, dict):
            parts = {None: parts}
        ts = []
        for w, q in parts.items():
            if sp.sympify(q) == 0:
                continue
            try:
                F, diff = flux_form(q)
            except ValueError as e:
                return None, f"q^{b}{'' if w is None else f' at {w}'} has no factor n_X - n_Y ({e})"
            if not _same_frequency_difference(diff):
                return None, (f"q^{b} is proportional to {diff}: occupations at different frequencies, whose "
                              f"sign is not fixed by the temperatures")
            if F.is_nonnegative is not True:
                return None, f"the prefactor of q^{b}{'' if w is None else f' at {w}'} is not provably non-negative"
            ts.append((F, diff))
        terms[b] = ts
    return terms, "every current is a sum of F_k [n_X(w_k) - n_Y(w_k)] with F_k >= 0"


def _certify(me, ss):
    currents = {}
    d = me.dim
    for b in me.bath_names:
        try:
            parts = heat_current(me, b, ss, by_channel=True)
        except Exception:  # noqa: BLE001 - no channel decomposition: try the total
            parts = {None: heat_current(me, b, ss)}
        if any(ss.rho[i, j] != 0 for i in range(d) for j in range(d) if i != j) or me.hamiltonian is not None:
            parts = {None: heat_current(me, b, ss)}
        currents[b] = parts
    return certify_currents(currents)


def search_counterexample(me, sigma, *, n: int = 2000, seed: int = 0):
    """Scan the closed-form entropy production ``sigma`` over ``me.model``'s domain; the most
    negative point, if ``sigma < 0`` there, is re-solved with the independent numeric solver
    for ``me``'s kind.  Returns ``(status, counterexample, reason)`` with status
    ``"violated"`` (solver confirms ``sigma < 0``), ``"undecided"`` or None (no negative point)."""
    from .numeric.functions import to_numeric
    from .numeric.verify import _callables, numeric_solver_for, sample_points

    samples, spectral = sample_points(me.model, [sigma], n, seed)
    params = tuple(samples)
    vals = np.real(np.asarray(to_numeric(sigma, params, spectral=spectral)(samples), complex)) * np.ones(n)
    i = int(np.argmin(vals))
    if not vals[i] < -1e-10 * max(1e-300, float(np.max(np.abs(vals)))):
        return None, None, f"no point with sigma < 0 among {n} samples of the domain"
    values = {s: float(samples[s][i]) for s in params}
    res = numeric_solver_for(me).solve(values, spectral=_callables(spectral, values))
    ce = {"parameters": {str(s): v for s, v in values.items() if "__g" not in str(s)},
          "sigma_closed_form": float(vals[i]), "sigma_numeric_solver": float(res.entropy_production),
          "heat_currents": {k: float(v) for k, v in res.heat_currents.items()}}
    if res.entropy_production < 0:
        return "violated", ce, "sigma < 0 at the counterexample (closed form and numeric solver)"
    return "undecided", ce, "closed form and solver disagree in sign"


def second_law_certificate(me, ss=None, *, currents=None, sigma=None, n: int = 2000,
                           seed: int = 0) -> SecondLawCertificate:
    """Certificate that the steady-state heat currents of ``me`` obey the second law, or a
    counterexample (a domain point where ``sigma < 0``, confirmed numerically).

    ``currents`` (``{bath: q}``) and ``sigma`` may be given when they come from another route
    than ``me.steady_state()`` (e.g. moment equations); ``me`` then only supplies the model
    and the numeric solver.
    """
    if currents is None:
        ss = ss if ss is not None else me.steady_state()
        terms, reason = _certify(me, ss)
    else:
        terms, reason = certify_currents(currents)
    if terms is not None:
        return SecondLawCertificate("holds", terms, None, reason)
    if sigma is None:
        sigma = (entropy_production(me, ss) if currents is None else
                 -sum(q / me.model.bath(b).temperature for b, q in currents.items()))
    status, ce, why = search_counterexample(me, sigma, n=n, seed=seed)
    return SecondLawCertificate(status or "undecided", {}, ce, f"{reason}; {why}")
