"""Thermodynamics of a master equation's steady state.

Sign convention (used everywhere in qsym): a heat current is positive when heat flows
*from the bath into the system*:

    q^X = Tr[H_S D_X(rho_ss)] = sum_{n,p} E_n K^X_{np} rho_p      (Fogedby eqs. 2.11-2.12)

Energy balance in the steady state: sum_X q^X = 0 (eq. 2.10).  Entropy production
(Spohn): sigma = -sum_X q^X / T_X >= 0 for a Davies generator.
"""
from __future__ import annotations

import sympy as sp

from .algebra.symbols import expand_definitions
from .baths import _Occupation, expand_occupations
from .dynamics.master import tidy

def _compact(e, max_ops: int = 600):
    """``factor(together(e))`` for expressions small enough to profit; large ones (general
    Markov chains) are returned as sums of products rather than spending minutes in factor."""
    if sp.count_ops(e) <= max_ops:
        return sp.factor(sp.together(e))
    return e


def _is_zero_rational(e) -> bool:
    """Decide ``e == 0`` for a rational function of rates by abbreviating every function
    application (g(w), n(w)) and radical to a plain symbol and cancelling."""
    e = sp.sympify(e)
    atoms = {a for a in e.atoms(sp.Function, sp.Pow) if not (a.is_Pow and a.exp.is_Integer)}
    fwd = {a: sp.Dummy() for a in atoms}
    return sp.cancel(sp.together(e.xreplace(fwd))) == 0


__all__ = ["heat_current", "dissipator_power", "heat_current_from_energies", "heat_currents", "energy_balance", "entropy_production", "flux_form"]


def heat_current(me, bath: str, ss, *, by_channel: bool = False):
    """Heat current from ``bath`` into the system in the steady state ``ss``.

    With ``by_channel=True`` returns ``{omega_j: q_j^X}``: the contribution of each
    transition frequency, ``q_j^X = omega_j * (absorbed - emitted flux at omega_j)``; their
    sum is ``q^X`` (Fogedby eqs. 3.52-3.57 split ``q^A = q_+^A + q_-^A``).
    """
    rho = ss.rho
    d = me.dim
    diagonal = all(rho[i, j] == 0 for i in range(d) for j in range(d) if i != j)
    if not by_channel and diagonal and me.hamiltonian is None:
        # exact rewrite of sum_n E_n K_np rho_p: each transition changes the energy by its
        # (named) transition frequency
        return _compact(sum(heat_current(me, bath, ss, by_channel=True).values()))
    if not by_channel:
        if getattr(me.model.bath(bath), "chemical_potential", 0) != 0:
            raise NotImplementedError(
                f"heat current of fermionic lead {bath!r} with a chemical potential needs the particle "
                f"current for a steady state with coherences; only the diagonal (secular) case is implemented")
        E = me.energies
        if any(rho[i, j] != 0 for i in range(d) for j in range(d) if i != j) or me.hamiltonian is not None:
            return _compact(_energy_change(me, bath, rho))
        K = me.rate_matrix(bath)
        tot = sum(E[n] * K[n, p] * rho[p, p] for n in range(d) for p in range(d))
        return _compact(tot)
    out: dict = {}
    bath_obj = me.model.bath(bath)
    for ch in me.channels_of(bath):
        w = ch.frequency
        key = w if w.could_extract_minus_sign() is False else -w
        flux = 0
        for (m, n), a in ch.operator:
            flux += ch.rate * a * sp.conjugate(a) * rho[n, n]
        # a channel that releases w into the bath removes energy w from the system per jump;
        # for a fermionic lead each jump also moves one particle (out if w > 0), and the heat
        # is energy - mu * particles
        heat_per_jump = -w
        mu = getattr(bath_obj, "chemical_potential", 0)
        if mu != 0:
            heat_per_jump += mu * sp.sign(w)
        out[key] = out.get(key, 0) + heat_per_jump * flux
    return {k: _compact(v) for k, v in out.items()}


def _energy_change(me, name: str, rho) -> sp.Expr:
    """``Tr[H_S D_name(rho)]`` from the dissipator's action on each matrix unit."""
    H = me._H()
    d = me.dim
    tot = 0
    for i in range(d):
        for j in range(d):
            if rho[i, j] != 0:
                for (k, l), v in me.dissipator_action(name, i, j).items():
                    tot += H[l, k] * v * rho[i, j]
    return tot


def dissipator_power(me, name: str, ss) -> sp.Expr:
    """Power ``P_K = Tr[H_S D_K(rho_ss)] = <D_K^dag(H_S)>`` injected by an extra (non-bath)
    dissipator ``K`` of the model: work done by the noise that drives it (Diosi 2014, slide 3:
    ``L^K_AB``); the expectation of its current operator (:meth:`MasterEquation.current_operator`)."""
    if name not in getattr(me, "dissipator_names", ()):
        raise KeyError(f"argument `name` of dissipator_power must name one of the model's extra "
                       f"dissipators {tuple(getattr(me, 'dissipator_names', ()))}, got {name!r}; "
                       f"for a bath use heat_current")
    return _compact(me.expectation(me.current_operator(name), ss))


def heat_current_from_energies(me, bath: str, ss) -> sp.Expr:
    """``sum_{n,p} E_n K^X_{np} rho_p`` literally (Fogedby eq. 2.11), with explicit energies;
    equal to :func:`heat_current` once the named frequencies are expanded."""
    K = me.rate_matrix(bath)
    E = me.energies
    d = me.dim
    return sp.together(sum(E[n] * K[n, p] * ss.rho[p, p] for n in range(d) for p in range(d)))


def heat_currents(me, ss) -> dict[str, sp.Expr]:
    """``{bath: q^X}`` for every bath."""
    return {b: heat_current(me, b, ss) for b in me.bath_names}


def energy_balance(me, ss) -> sp.Expr:
    """``sum_X q^X + sum_K P_K``, simplified; zero in a steady state (Fogedby eq. 2.10).

    ``P_K = Tr[H_S D_K(rho)]`` is the power delivered by each extra dissipator of the model
    (``OpenSystem(dissipators=...)``, e.g. Diosi's incoherent coupling ``L^K_AB``), which
    belongs to no bath: off resonance the baths' currents alone sum to ``-P_K``, not to zero.

    Decided symbolically when the expression is small enough (cancellation in the named
    notation, then ``simplify`` with the definitions expanded).  A sum too large for that
    (general Markov chains) is evaluated with 50-digit arithmetic at random points of the
    model's domain; if it vanishes there, 0 is returned with a warning saying so, otherwise
    the unsimplified sum is returned.
    """
    d = me.dim
    extra = getattr(me, "dissipator_names", ())
    if not extra and me.hamiltonian is None and all(ss.rho[i, j] == 0 for i in range(d) for j in range(d) if i != j):
        # per transition frequency: the baths' contributions cancel channel by channel when the
        # chain is a product of birth-death chains (no net flux along any channel)
        per = {}
        for b in me.bath_names:
            for w, q in heat_current(me, b, ss, by_channel=True).items():
                per[w] = per.get(w, 0) + q
        if all(_is_zero_rational(q) for q in per.values()):
            return sp.S.Zero
    total = sum(heat_currents(me, ss).values()) + sum(dissipator_power(me, K, ss) for K in extra)
    if sp.count_ops(total) <= 3000 and _is_zero_rational(total):
        return sp.S.Zero
    expanded = expand_definitions(total)
    if sp.count_ops(expanded) <= 400:
        return sp.simplify(sp.together(expanded))
    import warnings

    import mpmath

    from .numeric.functions import spectral_realisation, undefined_spectral_functions
    from .numeric.sampling import sample_parameters
    ex = expand_occupations(expanded)
    ranges = {}
    for name, g in undefined_spectral_functions(ex).items():
        lam, rg = spectral_realisation(name)
        ex = ex.replace(g, lam)
        ranges.update(rg)
    syms = sorted(ex.free_symbols, key=str)
    pts = sample_parameters(syms, 4, seed=3, domain=tuple(me.model.domain) + tuple(ranges.items()),
                            assumptions=me.model.assumptions)
    f = sp.lambdify(syms, ex, "mpmath")
    with mpmath.workdps(50):
        for k in range(4):
            v = f(*[mpmath.mpf(float(pts[x][k])) for x in syms])
            if abs(v) > mpmath.mpf("1e-35"):
                return total  # non-zero at a point of the domain; too large to simplify
    warnings.warn("energy balance sum_X q^X = 0 established at 4 random points of the domain with 50-digit "
                  "arithmetic (the expression is too large for SymPy's simplify)", stacklevel=2)
    return sp.S.Zero


def entropy_production(me, ss) -> sp.Expr:
    """``sigma = -sum_X q^X / T_X`` (Spohn)."""
    return sp.together(-sum(q / me.model.bath(b).temperature for b, q in heat_currents(me, ss).items()))


def flux_form(q) -> tuple[sp.Expr, sp.Expr]:
    """Write a current as ``F * [n_X(w) - n_Y(w)]`` and return ``(F, n_X(w) - n_Y(w))``.

    ``F`` is returned in tidy form; ``F.is_nonnegative`` is True when the prefactor is
    visibly non-negative (all factors positive by assumption), as in Fogedby sec. IV.
    Raises ValueError when the current has no such factor.
    """
    f = sp.factor(sp.together(q))
    occ = sorted(f.atoms(_Occupation), key=str)
    for a in sp.Mul.make_args(f):
        base = a.base if a.is_Pow and a.exp == 1 else a
        if base.is_Add and len(base.args) == 2 and all(isinstance(t, _Occupation) or
                                                         (t.could_extract_minus_sign() and isinstance(-t, _Occupation))
                                                         for t in base.args):
            diff = base
            pos = [t for t in diff.args if isinstance(t, _Occupation)][0]
            neg = [-t for t in diff.args if not isinstance(t, _Occupation)][0]
            if str(pos.func) > str(neg.func):  # order as n_A - n_B
                diff = neg - pos
            F = sp.factor(f / diff)
            if F.is_nonnegative is not True and (-F).is_nonnegative is True:
                F, diff = sp.factor(-F), -diff  # orient so that the prefactor is non-negative
                if diff.could_extract_minus_sign():
                    diff = sp.Add(*diff.args, evaluate=False)
            num, den = sp.fraction(F)
            F = sp.Mul(*[tidy(x) for x in sp.Mul.make_args(num)]) / sp.Mul(*[tidy(x) for x in sp.Mul.make_args(den)])
            return F, diff
    raise ValueError(f"the current has no factor n_X(omega) - n_Y(omega); occupations present: {occ}")
