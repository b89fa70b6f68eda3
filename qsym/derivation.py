"""Derived results, their published transcriptions, and the classification
``match`` / ``mismatch`` / ``derived-only``.

A :class:`Result` holds a closed form that came out of qsym's machinery, optionally the
published expression transcribed from the paper (for comparison only), and the numeric
target the closed form is checked against.  :func:`check_result` decides:

* derived vs numeric solver: max relative error at random samples (must be <= tol);
* derived vs published: compared numerically at the same samples (decisive for a
  mismatch, which comes with a counterexample) and, when they agree, proved symbolically
  where SymPy can (``proof: symbolic``) or reported as agreeing at every sample.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .algebra.symbols import expand_definitions
from .numeric.functions import to_numeric
from .numeric.verify import relative_error, sample_points, verify

__all__ = ["Result", "Record", "check_result", "symbolic_difference_is_zero"]


@dataclass(frozen=True)
class Result:
    """One derived result of a derivation module.

    Attributes:
        name: short identifier (``"q_A"``).
        equation: the seed's label as printed (``"3.53"``) or a locator (``"IV.C.1"``).
        derived: the closed form from qsym (Expr or Matrix).
        me: the master equation it came from (gives the model for the numeric check).
        target: numeric quantity to compare with (a Target, or a Matrix of Targets / None).
        published: transcription of the paper's expression (None: derived-only).
        latex_name: how to print the left-hand side.
        note: anything the reader must know (reading adopted, typo found ...).
        limit: the :class:`qsym.asymptotics.Limit` the derived form came from (a regime of a
            derived closed form); its stated rate is then checked numerically with
            ``check_limit`` at random base points, in mpmath.
        relation: ``"equal"`` (the publication states ``derived = published``) or ``"differs"``
            (it states the two are *not* the same, e.g. "the two definitions are incompatible",
            "the work does not vanish": ``published = 0``).  A ``"differs"`` claim is ``match``
            when a sample where they differ is found (the witness is recorded) and ``mismatch``
            when they agree at every sample.
    """

    name: str
    equation: str
    derived: object
    me: object
    target: object = None
    published: object = None
    latex_name: str = ""
    note: str = ""
    limit: object = None
    relation: str = "equal"


@dataclass
class Record:
    """The verification record of a result (one JSON record of ``qsym verify``)."""

    derivation: str
    result: str
    equation: str
    status: str
    max_rel_err: float | None
    samples: int
    counterexample: dict | None
    proof: str | None
    time: float
    derived_vs_published_max_rel_diff: float | None = None
    note: str = ""
    warnings: list = field(default_factory=list)
    numeric_ok: bool = True
    limit_check: dict | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _elements(x):
    if isinstance(x, sp.MatrixBase):
        return list(x)
    return [sp.sympify(x)]


def symbolic_difference_is_zero(a, b, timeout_terms: int = 4000, simplify_ops: int = 600) -> bool:
    """True when ``a - b`` simplifies to 0 (first in the named notation, then with the
    definitions expanded).  False means 'not proved', not 'different'."""
    d = sp.sympify(a) - sp.sympify(b)
    if d == 0:
        return True
    try:
        if sp.count_ops(d) > timeout_terms:  # cancel on a huge difference can take hours
            return False
        if sp.cancel(sp.together(d)) == 0:
            return True
        e = expand_definitions(d)
        if sp.count_ops(e) > timeout_terms:
            return False
        if _rational_identity(e):
            return True
        from .baths import expand_occupations
        e_occ = expand_occupations(e)
        if _rational_identity(e_occ):
            return True
        # simplify is the expensive last resort (minutes on a few thousand operations)
        if sp.count_ops(e) <= simplify_ops and sp.simplify(e) == 0:
            return True
        return sp.count_ops(e_occ) <= 400 and sp.simplify(e_occ) == 0
    except Exception:  # SymPy cannot decide: not proved
        return False


def _rational_identity(e) -> bool:
    """``e == 0`` as a rational function once every exponential ``e^{sum_k a_k}`` is split
    into a product of independent ``e^{a_k}`` symbols (exact polynomial arithmetic: much
    cheaper than ``simplify``; False means not proved)."""
    e = sp.expand_power_exp(sp.powsimp(e, combine="exp")) if e.has(sp.exp) else e
    if e.has(sp.exp):
        atoms = {}

        def rename(x):  # e^{c a} -> E_a^c for integer c, so that e^{-2w/T} = (e^{-w/T})^2
            c, a = x.args[0].as_coeff_Mul()
            if not (c.is_Rational and c.q == 1):
                c, a = sp.S.One, x.args[0]
            return atoms.setdefault(a, sp.Dummy("E", positive=True)) ** c
        e = e.replace(lambda x: isinstance(x, sp.exp), rename)
    return sp.cancel(sp.together(e)) == 0


class _ProofTimeout(BaseException):
    """The symbolic proof's time budget ran out (a BaseException: SymPy's own ``except
    Exception`` blocks must not swallow it)."""


@contextmanager
def _time_limit(seconds):
    """Raise :class:`_ProofTimeout` after ``seconds`` (SIGALRM; no limit off the main thread
    or without ``setitimer``)."""
    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        # re-armed: an exception raised inside a gc callback or a __del__ is only reported as
        # "unraisable" and the proof would run on unbounded (seen in CI: hypothesis's gc hook)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        raise _ProofTimeout()
    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def proof_budget() -> float | None:
    """Seconds allowed for one record's symbolic proof: ``$QSYM_PROOF_BUDGET`` (unset: no
    limit).  A proof cut short leaves the classification (decided numerically) unchanged and
    says so in ``proof``."""
    v = os.environ.get("QSYM_PROOF_BUDGET")
    if v in (None, "", "0", "none"):
        return None
    budget = float(v)
    if not budget > 0:
        raise ValueError(f"QSYM_PROOF_BUDGET must be a positive number of seconds, got {v!r}")
    return budget


def _prove_equal(derived, published) -> str | None:
    """``"symbolic"`` when every element difference reduces to 0, ``None`` when SymPy did not
    get there, ``"budget"`` when the time budget ran out first."""
    budget = proof_budget()
    try:
        with _time_limit(budget):
            ok = all(symbolic_difference_is_zero(d, p) for d, p in zip(derived, published))
    except _ProofTimeout:
        return "budget"
    return "symbolic" if ok else None


def _proof_text(outcome: str | None, n: int) -> str:
    if outcome == "symbolic":
        return "symbolic"
    if outcome == "budget":
        return f"numeric: equal at all {n} samples (symbolic proof stopped after QSYM_PROOF_BUDGET = {proof_budget():g} s)"
    return f"numeric: equal at all {n} samples (SymPy did not reduce the difference to 0)"


def check_result(derivation: str, r: Result, *, n: int = 200, seed: int = 0, tol: float = 1e-9) -> Record:
    """Classify ``r`` (see module docstring)."""
    t0 = time.perf_counter()
    derived = _elements(r.derived)
    targets = list(r.target) if isinstance(r.target, (list, tuple)) else [r.target] * len(derived)
    max_err, worst_warn = 0.0, []
    numeric_ok = True
    for d, tg in zip(derived, targets):
        if tg is None:
            continue
        rep = verify(d, r.me, tg, n=n, seed=seed, tol=tol)
        max_err = max(max_err, rep.max_rel_err)
        worst_warn.extend(rep.warnings)
        numeric_ok &= rep.passed
    if all(t is None for t in targets):
        max_err = None
    limit_check = None
    if r.limit is not None:
        lims = list(r.limit) if isinstance(r.limit, (list, tuple)) else [r.limit]
        checks = [check_limit_at_samples(lim, r.me.model, seed=seed) for lim in lims]
        limit_check = checks[0] if len(checks) == 1 else {
            "regime": checks[0]["regime"], "elements": checks, "passed": all(c["passed"] for c in checks),
            "observed_rates": [x for c in checks for x in c["observed_rates"]]}
        numeric_ok &= limit_check["passed"]
    counter, proof, pub_diff = None, None, None
    if r.published is None:
        status = "derived-only"
    else:
        published = _elements(r.published)
        if len(published) != len(derived):
            raise ValueError(f"{r.name}: published has {len(published)} elements, derived {len(derived)}")
        samples, spectral = sample_points(r.me.model, derived + published, n, seed + 1)
        params = tuple(samples)
        worst, shown = (0.0, None), (0.0, None)
        for k, (d, p) in enumerate(zip(derived, published)):
            fd = np.real(np.asarray(to_numeric(d, params, spectral=spectral)(samples), complex)) * np.ones(n)
            fp = np.real(np.asarray(to_numeric(p, params, spectral=spectral)(samples), complex)) * np.ones(n)
            err = relative_error(fd, fp)
            # a published form that overflows or is undefined where the derived one is finite differs there
            bad = np.isfinite(fp) != np.isfinite(fd)
            err = np.where(bad, np.inf, np.nan_to_num(err, nan=0.0))
            i = int(np.argmax(err))
            if err[i] > worst[0]:
                worst = (float(err[i]), (k, i, fd[i], fp[i]))
            # the counterexample shown: a point where both are finite, when there is one
            finite = np.where(bad, -1.0, err)
            j = int(np.argmax(finite))
            if finite[j] > max(shown[0], 1e-9):
                shown = (float(finite[j]), (k, j, fd[j], fp[j]))
        pub_diff = worst[0]
        if shown[1] is None:
            shown = worst
        if r.relation not in ("equal", "differs"):
            raise ValueError(f"{r.name}: `relation` must be 'equal' or 'differs', got {r.relation!r}")
        if r.relation == "differs":
            k, i, vd, vp = shown[1]
            if pub_diff > 1e-6:
                status = "match"
                counter = {"witness": True, "element": k, "parameters": {str(s): float(samples[s][i]) for s in params},
                           "derived": vd, "published": vp, "relative_difference": shown[0]}
            else:
                status = "mismatch"
                proof = _proof_text(_prove_equal(derived, published), n) + " (the publication states they differ)"
        elif pub_diff <= 1e-9:
            status = "match"
            proof = _proof_text(_prove_equal(derived, published), n)
        else:
            status = "mismatch"
            k, i, vd, vp = shown[1]
            sample = {str(s): float(samples[s][i]) for s in params}
            counter = {"element": k, "parameters": sample, "derived": vd, "published": vp,
                       "relative_difference": shown[0]}
            # confirm at the counterexample that the numeric solver sides with the derivation
            tg = targets[k]
            if tg is not None:
                from .numeric.verify import _callables, numeric_solver_for
                values = {s: float(samples[s][i]) for s in params}
                res = numeric_solver_for(r.me).solve(values, spectral=_callables(spectral, values))
                counter["numeric_solver"] = float(tg.numeric(r.me, res, values))
    return Record(derivation, r.name, r.equation, status, max_err, n, counter, proof,
                  time.perf_counter() - t0, pub_diff, r.note, sorted(set(worst_warn))[:3], bool(numeric_ok),
                  limit_check)


def check_limit_at_samples(lim, model, *, points: int = 3, seed: int = 0) -> dict:
    """:func:`qsym.asymptotics.check_limit` at ``points`` random base points of the model's
    domain (unspecified spectral functions realised as random positive functions).
    Returns the worst point's verdict with the observed rates of all points."""
    from .asymptotics import check_limit
    exprs = [lim.full, lim.leading]
    samples, spectral = sample_points(model, exprs, points, seed + 7)
    rates, worst = [], None
    for k in range(points):
        values = {s: float(samples[s][k]) for s in samples}
        lams = {}
        for name, lam in spectral.items():
            lams[name] = lam.subs({s: values[s] for s in lam.free_symbols if s in values})
        values = {s: v for s, v in values.items() if "__g" not in str(s)}
        res = check_limit(lim, values, spectral=lams)
        rates.append(res["observed_rate"])
        if worst is None or not res["passed"]:
            worst = res
    return {"regime": lim.regime, "variable": str(lim.variable), "correction": str(lim.correction),
            "observed_rates": rates, "deviations": worst["deviations"], "exact": worst["exact"],
            "passed": bool(worst["passed"])}
