r"""Linear quantum Langevin equations: oscillator networks in Caldeira-Leggett baths at
arbitrary coupling.

Model (``hbar = k_B = 1``).  Oscillators ``x_l`` with masses ``M = diag(m_l)`` and potential
``x^T K x / 2``; each bath ``nu`` is a set of oscillators coupled to ``g_nu . x`` (weights ``g_nu``:
``(1, 1)`` for a bath common to two oscillators), with spectral density ``J_nu(w)``, temperature
``T_nu`` and the counterterm ``(g_nu . x)^2 sum_k c_k^2/(2 m_k w_k^2)``, so that neither the
frequencies are renormalised nor a direct coupling is induced.  Integrating the baths out (L1):

    M x'' + K x + sum_nu g_nu g_nu^T int_0^t Gamma_nu(t - s) x'(s) ds = sum_nu g_nu xi_nu(t),
    Gamma_nu(t) = (2/pi) int_0^oo dw J_nu(w)/w cos(w t)                                   (L2)

Fourier: ``x(w) = chi(w) xi(w)`` with the susceptibility

    chi(w) = [K - w^2 M - i w sum_nu gamma_nu(w) g_nu g_nu^T]^{-1},
    gamma_nu(w) = int_0^oo Gamma_nu(t) e^{iwt} dt,   Re gamma_nu(w) = J_nu(w)/w          (L3)

and the symmetrised noise ``<{xi(w), xi(w')}>/2 = 2 pi delta(w + w') J(w) coth(w/2T)`` (FDT), so
the stationary symmetrised covariances are

    <{x, x^T}>/2 = (1/pi) int_0^oo dw sum_nu coth(w/2T_nu) J_nu(w) chi g_nu g_nu^T chi^dag    (L4)
    <{p, p^T}>/2 = (1/pi) int_0^oo dw w^2 M (...) M,     <{x, p^T}>/2 = 0.

With one temperature, ``chi J g g^T chi^dag = Im chi`` and (L4) is the Matsubara sum
``<x x^T> = T sum_{n in Z} chi(i|nu_n|)``, ``nu_n = 2 pi n T``, with
``chi(i nu) = [K + nu^2 M + nu sum gamma_nu(i nu) g g^T]^{-1}`` real (L5).  Consequences derived
here: the classical limit ``T chi(0) = T K^{-1}`` (the ``n = 0`` term; equipartition), and the
strong-coupling limit of a bath of strength ``lambda -> oo``: ``chi(i nu) -> N (N^T (K + nu^2 M) N)^{-1} N^T``
for ``nu > 0`` (``N`` a basis of ``ker D``, ``D = g g^T``), so that, with the Matsubara identity
``T sum_{n != 0} 1/(nu_n^2 + w^2) = coth(w/2T)/(2w) - T/w^2`` (Mittag-Leffler expansion of coth),

    <x x^T>_oo = T K^{-1} + sum_k u_k u_k^T [coth(w_k/2T)/(2 w_k) - T/w_k^2]                (L6)

over the modes ``(w_k, u_k)`` of the motion constrained to ``ker D`` (undamped: the bath cannot
move them): they keep their quantum fluctuations, the rest becomes classical.

Spectral densities (each a small class: a new kind of bath is one new class):
:class:`Ohmic` ``J = lambda w`` (memoryless, ``gamma = lambda``), :class:`DrudeOhmic`
``J = lambda w/(1 + w^2/w_D^2)``, :class:`Lorentzian` ``J = d gamma0 w/((w0^2 - w^2)^2 + gamma0^2 w^2)``.
Numerics: :mod:`qsym.numeric.langevin` (frequency integrals, Matsubara sums, poles) and
:mod:`qsym.numeric.discrete_bath` (each bath as M oscillators; the closed system exactly).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..algebra.symbols import expand_definitions

__all__ = ["SpectralDensity", "Ohmic", "DrudeOhmic", "Lorentzian", "CaldeiraLeggettBath", "OscillatorNetwork",
           "oscillator_network", "LangevinInputError", "DivergentQuantityError", "matsubara_sum", "root_series",
           "pearson"]

w_sym = sp.Symbol("omega", real=True)
t_sym = sp.Symbol("t", nonnegative=True)
nu_sym = sp.Symbol("nu", positive=True)


class LangevinInputError(ValueError):
    """Invalid network or bath (non-positive mass, unstable potential, bad spectral density...)."""


class DivergentQuantityError(ValueError):
    """The requested stationary quantity diverges for this spectral density (say which cutoff to add)."""


# ---- spectral densities -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpectralDensity:
    """``J(w)`` (odd, ``>= 0`` for ``w > 0``), its damping ``gamma(w)`` (L3), kernel ``Gamma(t)`` (L2),
    and ``gamma(i nu)`` on the imaginary axis (L5)."""

    strength: sp.Expr

    def J(self, w=w_sym):  # pragma: no cover - interface
        raise NotImplementedError

    def damping(self, w=w_sym):  # pragma: no cover - interface
        raise NotImplementedError

    def kernel(self, t=t_sym):  # pragma: no cover - interface
        raise NotImplementedError

    def damping_imaginary(self, nu=nu_sym):
        """``gamma(i nu)``, ``nu > 0`` (real)."""
        return sp.simplify(self.damping(sp.I * nu))

    @property
    def high_frequency_power(self) -> int:
        """``J(w) ~ w^p`` as ``w -> oo`` (decides which covariances converge)."""
        w = sp.Symbol("w_large", positive=True)
        lead = sp.limit(sp.log(expand_definitions(self.J(w))) / sp.log(w), w, sp.oo)
        return int(lead)

    def _repr_latex_(self):
        return rf"$J(\omega) = {sp.latex(self.J())},\quad \gamma(\omega) = {sp.latex(self.damping())}$"


@dataclass(frozen=True)
class Ohmic(SpectralDensity):
    """``J(w) = lambda w``: ``Gamma(t) = 2 lambda delta(t)``, ``gamma(w) = lambda`` (memoryless)."""

    def J(self, w=w_sym):
        return self.strength * w

    def damping(self, w=w_sym):
        return self.strength

    def kernel(self, t=t_sym):
        return 2 * self.strength * sp.DiracDelta(t)


@dataclass(frozen=True)
class DrudeOhmic(SpectralDensity):
    """``J(w) = lambda w/(1 + w^2/w_D^2)``: ``Gamma(t) = lambda w_D e^{-w_D t}``,
    ``gamma(w) = lambda w_D/(w_D - i w)``."""

    cutoff: sp.Expr = sp.Symbol("omega_D", positive=True)

    def J(self, w=w_sym):
        return self.strength * w / (1 + w**2 / self.cutoff**2)

    def damping(self, w=w_sym):
        return self.strength * self.cutoff / (self.cutoff - sp.I * w)

    def kernel(self, t=t_sym):
        return self.strength * self.cutoff * sp.exp(-self.cutoff * t)


@dataclass(frozen=True)
class Lorentzian(SpectralDensity):
    """``J(w) = d gamma0 w/((w0^2 - w^2)^2 + gamma0^2 w^2)`` (structured bath; ``strength = d``):
    ``gamma(w) = d (gamma0 - i w)/(w0^2 (w0^2 - w^2 - i gamma0 w))`` -- analytic in the upper half
    plane with ``Re gamma = J/w`` (L3)."""

    peak: sp.Expr = sp.Symbol("omega_0", positive=True)
    width: sp.Expr = sp.Symbol("gamma_0", positive=True)

    def J(self, w=w_sym):
        return self.strength * self.width * w / ((self.peak**2 - w**2) ** 2 + self.width**2 * w**2)

    def damping(self, w=w_sym):
        return self.strength * (self.width - sp.I * w) / (self.peak**2 * (self.peak**2 - w**2 - sp.I * self.width * w))

    def kernel(self, t=t_sym):
        """``Gamma(t) = (2/pi) int J/w cos(wt) dw``: the inverse transform of ``gamma(w)`` by the residues
        at its poles in the lower half plane."""
        w = sp.Symbol("w_pole")
        g = self.damping(w)
        poles = sp.solve(sp.denom(sp.together(g)), w)
        return sp.simplify(sum(-sp.I * sp.residue(g * sp.exp(-sp.I * w * t), w, p) for p in poles))


@dataclass(frozen=True)
class CaldeiraLeggettBath:
    """A bath: name, spectral density, temperature and the coupling weights ``g`` (one per oscillator)."""

    name: str
    density: SpectralDensity
    temperature: sp.Expr
    weights: tuple

    @property
    def spectral(self):
        """The spectral density (the name sampling and verification look for)."""
        return self.density

    def coupling_matrix(self) -> sp.Matrix:
        g = sp.Matrix(self.weights)
        return g * g.T


# ---- the network ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OscillatorNetwork:
    r"""Oscillators ``(M, K)`` and Caldeira-Leggett baths (L1)."""

    names: tuple
    masses: tuple
    K: sp.ImmutableMatrix
    baths: tuple
    assumptions: tuple = ()
    domain: tuple = ()
    name: str = "oscillator network"
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    kind = "langevin"

    @property
    def model(self):
        return self

    @property
    def n(self) -> int:
        return len(self.masses)

    @property
    def M(self) -> sp.Matrix:
        return sp.diag(*self.masses)

    @property
    def parameters(self) -> tuple:
        syms = set(self.K.free_symbols)
        for m in self.masses:
            syms |= sp.sympify(m).free_symbols
        for b in self.baths:
            syms |= sp.sympify(b.temperature).free_symbols | sp.sympify(b.density.strength).free_symbols
            for f in ("cutoff", "peak", "width"):
                if hasattr(b.density, f):
                    syms |= sp.sympify(getattr(b.density, f)).free_symbols
            for x in b.weights:
                syms |= sp.sympify(x).free_symbols
        syms |= {s for s, _ in self.domain}
        return tuple(sorted(syms, key=str))

    def bath(self, name: str) -> CaldeiraLeggettBath:
        for b in self.baths:
            if b.name == name:
                return b
        raise LangevinInputError(f"Argument `bath` must be one of {[b.name for b in self.baths]}, got {name!r}")

    def numeric_solver(self):
        from ..numeric.langevin import LangevinSolver
        return LangevinSolver(self)

    # -- equations of motion and response ------------------------------------------------------------------
    def friction_matrix(self, w=w_sym) -> sp.Matrix:
        """``sum_nu gamma_nu(w) g_nu g_nu^T``."""
        return sum((b.density.damping(w) * b.coupling_matrix() for b in self.baths), sp.zeros(self.n))

    def inverse_susceptibility(self, w=w_sym) -> sp.Matrix:
        """``chi^{-1}(w) = K - w^2 M - i w sum gamma_nu(w) g g^T`` (L3)."""
        return sp.Matrix(self.K) - w**2 * self.M - sp.I * w * self.friction_matrix(w)

    def susceptibility(self, w=w_sym) -> sp.Matrix:
        """``chi(w)`` (L3), by the adjugate (closed form for small networks)."""
        A = self.inverse_susceptibility(w)
        det = sp.factor(sp.expand(A.det()))
        return (A.adjugate() / det).applyfunc(sp.cancel)

    def matsubara_susceptibility(self, nu=nu_sym) -> sp.Matrix:
        """``chi(i nu) = [K + nu^2 M + nu sum gamma_nu(i nu) g g^T]^{-1}`` (L5), real for ``nu > 0``."""
        A = sp.Matrix(self.K) + nu**2 * self.M + nu * sum(
            (b.density.damping_imaginary(nu) * b.coupling_matrix() for b in self.baths), sp.zeros(self.n))
        return A.inv().applyfunc(sp.cancel)

    def characteristic_polynomial(self, w=w_sym) -> sp.Expr:
        """Numerator of ``det chi^{-1}(w)``: its roots are the poles of ``chi`` (the damped modes)."""
        num, _ = sp.fraction(sp.together(self.inverse_susceptibility(w).det()))
        return sp.expand(num)

    def equations_of_motion_latex(self) -> str:
        rows = []
        def coef(c):  # unit coefficients are not printed
            c = sp.sympify(c)
            return "" if c == 1 else ("-" if c == -1 else sp.latex(c) + r"\,")
        for l, name in enumerate(self.names):
            terms = [rf"{coef(self.masses[l])}\ddot x_{{{name}}}"]
            terms += [rf"{coef(self.K[l, j])}x_{{{self.names[j]}}}" for j in range(self.n) if self.K[l, j] != 0]
            for b in self.baths:
                if b.weights[l] != 0:
                    inner = " + ".join(rf"{coef(b.weights[j])}\dot x_{{{self.names[j]}}}(s)"
                                       for j in range(self.n) if b.weights[j] != 0)
                    terms.append(rf"{coef(b.weights[l])}\int_0^t \Gamma_{{{b.name}}}(t-s)\,[{inner}]\,ds")
            rows.append(" + ".join(terms) + rf" = \xi_{{{name}}}(t)")
        kern = [rf"\Gamma_{{{b.name}}}(t) = {sp.latex(b.density.kernel())}" for b in self.baths]
        return r"\begin{aligned}" + r" \\ ".join(rows + kern) + r"\end{aligned}"

    def derivation_steps(self) -> tuple:
        """The network and its Caldeira-Leggett baths, then the exact stationary solution of
        the quantum Langevin equations (L1-L4): linear coupling, no Born or Markov step."""
        from ..latex import latex
        from ..steps import Step, assumption_texts, positivity_text
        baths = tuple(f"bath {b.name}: {type(b.density).__name__} spectral density, $T = {latex(b.temperature)}$, "
                      f"weights {tuple(latex(w) for w in b.weights)}" for b in self.baths)
        model = Step("model", f"Oscillators in Caldeira-Leggett baths: {self.name}",
                     rf"M = {latex(self.M)},\quad K = {latex(self.K)}", ("counterterm",),
                     assumption_texts(self.assumptions) + baths + (positivity_text(self.K.free_symbols),))
        solution = Step("dynamics", "Stationary state of the quantum Langevin equations (fluctuation-dissipation)",
                        self.equations_of_motion_latex(), (),
                        ("linear coupling to harmonic baths in their Gibbs states (exact, any coupling strength)",
                         "stationary: the initial state forgotten (all modes damped)"))
        return (model, solution)

    def _repr_latex_(self):
        return "$" + self.equations_of_motion_latex() + "$"

    # -- closed-form limits of the covariance ---------------------------------------------------------------
    def _single_temperature(self, baths=None):
        temps = {sp.sympify(b.temperature) for b in (baths or self.baths)}
        if len(temps) != 1:
            raise LangevinInputError(f"this closed form needs one temperature for the baths, got {sorted(map(str, temps))}")
        return temps.pop()

    def classical_covariance(self) -> dict:
        """High-temperature (classical) limit of (L4)-(L5): the ``n = 0`` Matsubara term,
        ``<x x^T> = T chi(0) = T K^{-1}`` and ``<p p^T> = T M`` (equipartition)."""
        T = self._single_temperature()
        chi0 = self.matsubara_susceptibility(sp.Symbol("nu0", positive=True)).applyfunc(
            lambda e: sp.limit(e, sp.Symbol("nu0", positive=True), 0))
        return {"xx": (T * chi0).applyfunc(sp.simplify), "pp": T * self.M}

    def strong_coupling_covariance(self, bath: str, mode_names=None) -> dict:
        """(L6): ``<x x^T>`` as the strength of ``bath`` tends to infinity (other baths' damping
        neglected against it; one temperature).  Returns ``{"xx", "modes"}`` with the constrained
        modes ``[(w_k, u_k)]``, ``w_k`` named by ``mode_names`` (DefinedSymbols) when given."""
        b = self.bath(bath)
        T = self._single_temperature([b])
        D = b.coupling_matrix()
        if not D.nullspace():
            raise LangevinInputError(f"bath {bath!r} couples to every direction: no mode survives its strong-coupling limit")
        N = sp.Matrix.hstack(*D.nullspace())
        modes = self._constrained_modes(N)
        if mode_names is not None:
            from ..algebra.symbols import DefinedSymbol
            modes = [(DefinedSymbol(nm, sp.sqrt(w2), positive=True) ** 2, u) for nm, (w2, u) in zip(mode_names, modes)]
        # chi_oo(i nu) = sum_k u_k u_k^T/(w_k^2 + nu^2); T sum_{n != 0} by the Matsubara identity
        s = sp.Symbol("s", positive=True)
        xx = T * sp.Matrix(self.K).inv()
        for w2, u in modes:
            xx += (u * u.T) * matsubara_sum(1 / (s + w2), s, T)
        return {"xx": xx.applyfunc(sp.factor_terms), "modes": [(sp.sqrt(w2), u) for w2, u in modes],
                "kernel_basis": N}

    def _constrained_modes(self, N) -> list:
        """``[(w_k^2, u_k)]``: modes of the motion constrained to the columns of ``N``, mass-normalised
        (``u_k^T M u_k = 1``)."""
        Mr, Kr = N.T * self.M * N, N.T * sp.Matrix(self.K) * N
        if Mr.shape == (1, 1):
            return [(sp.factor(Kr[0, 0] / Mr[0, 0]), N / sp.sqrt(Mr[0, 0]))]
        lam = sp.Symbol("lambda")
        out = []
        for ev in sp.roots(sp.Poly((Kr - lam * Mr).det(), lam)):
            v = (Kr - ev * Mr).nullspace()[0]
            out.append((ev, N * v / sp.sqrt((v.T * Mr * v)[0, 0])))
        return out

    def antiphase_pole_series(self, bath: str, order: int = 3, parameter=None) -> list:
        """Poles of ``chi`` that stay underdamped as the Ohmic strength ``lambda`` of ``bath`` grows:
        series in ``1/lambda`` from the non-zero roots of the leading coefficient of the
        characteristic polynomial (memoryless baths only); ``parameter``: the symbol of the strength
        that goes to infinity (default: the strength itself).  Returns ``[{"root": w0, "series": s,
        "symbol": r}]``: ``s`` is written with the symbol ``r`` for the root ``w0`` (reduced modulo its
        minimal polynomial); substitute ``{r: w0}`` or a named symbol."""
        b = self.bath(bath)
        if not isinstance(b.density, Ohmic):
            raise LangevinInputError("antiphase_pole_series needs a memoryless (Ohmic) bath; got "
                                     f"{type(b.density).__name__}")
        lam = parameter if parameter is not None else b.density.strength
        if not isinstance(lam, sp.Symbol) or not b.density.strength.has(lam):
            raise LangevinInputError(f"Argument `parameter` must be a symbol of the strength of bath {bath!r} "
                                     f"({b.density.strength}) to expand in 1/parameter, got {lam}")
        w = sp.Symbol("w")
        P = sp.expand(self.characteristic_polynomial(w))
        u = sp.Symbol("u", positive=True)
        deg = sp.Poly(P, lam).degree()
        F = sp.expand(P.xreplace({lam: 1 / u}) * u**deg)
        lead = sp.Poly(F.xreplace({u: 0}), w)
        out = []
        for fac, _ in sp.factor_list(lead.as_expr())[1]:
            pf = sp.Poly(fac, w)
            if pf.degree() < 2:
                continue  # w = 0: the overdamped (in-phase) direction
            # the positive root of the factor, named: w0 with minimal polynomial pf(w0) = 0
            roots = [r for r in sp.roots(pf, w) if sp.simplify(expand_definitions(r)).is_positive]
            for r in roots:
                w0 = sp.Dummy("w0", positive=True)
                ser = root_series(F, w, u, w0, order, minimal=pf.as_expr().xreplace({w: w0}))
                out.append({"root": r, "series": ser.xreplace({u: 1 / lam}), "symbol": w0})
        return out


def oscillator_network(names, masses, K, baths, *, assumptions=(), domain=(), name="oscillator network"):
    """Validate and build an :class:`OscillatorNetwork`.

    Raises:
        LangevinInputError: non-positive masses, a potential that is not positive definite
            (unstable network), weights of the wrong length, a spectral density that is negative
            or not odd, a non-positive temperature.
    """
    names, masses = tuple(names), tuple(sp.sympify(m) for m in masses)
    n = len(names)
    if len(masses) != n:
        raise LangevinInputError(f"Argument `masses` must have one entry per oscillator ({n}), got {len(masses)}")
    for k, m in enumerate(masses):
        if m.is_positive is False or (m.is_number and m <= 0) or (not m.is_number and m.is_positive is None):
            raise LangevinInputError(f"Argument `masses[{k}]` must be positive (declare symbols positive=True), got {m}")
    K = sp.ImmutableMatrix(K)
    if K.shape != (n, n):
        raise LangevinInputError(f"Argument `K` must be {n}x{n}, got {K.shape}")
    if sp.simplify(K - K.T) != sp.zeros(n):
        raise LangevinInputError("Argument `K` (potential x^T K x/2) must be symmetric")
    _check_stable(K)
    for b in baths:
        if len(b.weights) != n:
            raise LangevinInputError(f"bath {b.name!r}: `weights` must have one entry per oscillator ({n}), got {len(b.weights)}")
        T = sp.sympify(b.temperature)
        if T.is_positive is not True:
            raise LangevinInputError(f"bath {b.name!r}: `temperature` must be positive (declared positive), got {T}")
        _check_density(b)
    return OscillatorNetwork(names, masses, K, tuple(baths), tuple(assumptions), tuple(domain), name)


def _check_stable(K):
    for k in range(1, K.rows + 1):
        minor = sp.simplify(K[:k, :k].det())
        if minor.is_positive is False or minor.is_zero or (minor.is_number and minor <= 0):
            raise LangevinInputError(f"unstable network: the potential matrix K must be positive definite; its leading "
                                     f"{k}x{k} minor is {minor}")


def _check_density(b):
    d = b.density
    w = sp.Symbol("w_test", positive=True)
    J = sp.simplify(d.J(w))
    if J.is_negative or (J.is_number and J < 0):
        raise LangevinInputError(f"bath {b.name!r}: the spectral density must be >= 0 for w > 0, got J = {J}")
    if sp.simplify(d.J(-w) + d.J(w)) != 0:
        raise LangevinInputError(f"bath {b.name!r}: the spectral density must be odd, J(-w) = -J(w); got J(-w) = {d.J(-w)}")
    if sp.sympify(d.strength).is_negative:
        raise LangevinInputError(f"bath {b.name!r}: the coupling strength must be >= 0, got {d.strength}")


# ---- tools -----------------------------------------------------------------------------------------------------
def matsubara_sum(f, s, T):
    """``T sum_{n != 0} f(nu_n^2)``, ``nu_n = 2 pi n T``, for ``f`` rational in ``s = nu^2`` vanishing at
    infinity with simple poles at ``s = -w_k^2``: by partial fractions and the Mittag-Leffler
    identity ``T sum_{n != 0} 1/(nu_n^2 + w^2) = coth(w/2T)/(2w) - T/w^2``."""
    f = sp.cancel(sp.sympify(f))
    if f == 0:
        return sp.S.Zero
    num, den = sp.fraction(f)
    if sp.Poly(num, s).degree() >= sp.Poly(den, s).degree():
        raise DivergentQuantityError(f"the Matsubara sum of {f} diverges: the summand does not vanish as nu -> oo")
    out = sp.S.Zero
    for term in sp.Add.make_args(sp.apart(f, s)):
        n_, d_ = sp.fraction(sp.factor(term))
        pd = sp.Poly(d_, s)
        if pd.degree() != 1 or sp.Poly(n_, s).degree() != 0:
            raise LangevinInputError(f"matsubara_sum handles simple poles in nu^2; got the term {term}")
        a, c = pd.all_coeffs()
        w2 = c / a  # term = (n_/a)/(s + w^2)
        wk = sp.sqrt(w2)
        out += (n_ / a) * (sp.coth(wk / (2 * T)) / (2 * wk) - T / w2)
    return out


def root_series(F, w, u, w0, order: int, minimal=None):
    """Root ``w(u) = w0 + c_1 u + ... + c_order u^order`` of the polynomial ``F(w, u) = 0`` with
    ``F(w0, 0) = 0`` a simple root, order by order: at ``u^k``, ``dF/dw(w0, 0) c_k + (terms in
    c_1..c_{k-1}) = 0``.  ``w0`` may be a symbol standing for the root with ``minimal`` its
    polynomial (``minimal(w0) = 0``): coefficients are then reduced modulo it."""
    F = sp.expand(F)
    dF0 = sp.expand(sp.diff(F, w).xreplace({w: w0, u: 0}))

    def reduce(e):
        e = sp.expand(e)
        if minimal is not None and e.has(w0):
            num, den = sp.fraction(sp.together(e))
            num = sp.rem(sp.Poly(sp.expand(num), w0), sp.Poly(minimal, w0)).as_expr()
            den = sp.rem(sp.Poly(sp.expand(den), w0), sp.Poly(minimal, w0)).as_expr()
            e = num / den
        return sp.factor(sp.cancel(e))
    if reduce(dF0) == 0:
        raise LangevinInputError(f"root {w0} of the leading equation is not simple: the series needs Puiseux terms")
    cs = sp.symbols(f"c_1:{order + 1}")
    trial = w0 + sum(cj * u ** (j + 1) for j, cj in enumerate(cs))
    Fu = sp.Poly(sp.expand(F.xreplace({w: trial})), u)  # generic coefficients: expanded once
    values = {}
    for k in range(1, order + 1):
        Fk = Fu.coeff_monomial(u**k).xreplace(values)
        sol = sp.solve(Fk, cs[k - 1])
        if len(sol) != 1:
            raise LangevinInputError(f"order {k} of the root series is not determined")
        values[cs[k - 1]] = reduce(sol[0])
    return w0 + sum(values[cj] * u ** (j + 1) for j, cj in enumerate(cs))


def pearson(cov, i: int = 0, j: int = 1):
    """``C = <dx_i dx_j> / sqrt(<dx_i^2> <dx_j^2>)`` (symmetrised covariance; SymPy or numeric)."""
    if isinstance(cov, sp.MatrixBase):
        return cov[i, j] / sp.sqrt(cov[i, i] * cov[j, j])
    import numpy as np
    cov = np.asarray(cov)
    return float(cov[i, j] / np.sqrt(cov[i, i] * cov[j, j]))
