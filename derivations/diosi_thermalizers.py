"""Diosi, "Autonomy of coupled quantum thermodynamic systems" (talk, Kibbutz Ma'agan, 1 Apr 2014):
thermalizers of two-level systems, their coherent (Levy-Kosloff) and incoherent resonant coupling.

Models (all built with qsym's machinery; a TLS with ``{a, a^dag} = 1`` is a fermion mode, ``H = omega n``):

* slide 2 -- one TLS and a *thermalizer* (:class:`qsym.baths.ThermalizerBath`): emission rate
  ``Gamma``, absorption rate ``Gamma e^{-beta omega}``;
* slide 3 -- TLS A (hot) and B (cold), each with its own thermalizer; uncoupled, and coupled
  coherently by ``K_AB = eps (a^dag b + b^dag a)`` in the *local* master equation
  ``-i[H_A + H_B + K_AB, rho] + (L_A + L_B) rho`` (the Levy-Kosloff equation), with
  ``omega_A != omega_B`` allowed and the resonant case ``omega_A = omega_B`` separately;
* slides 3-5 -- the incoherent resonant coupling ``L^K_AB`` (a :class:`qsym.model.Dissipator` with
  jumps ``sqrt(eps) a^dag b`` and ``sqrt(eps) a b^dag``), ``omega_A = omega_B = omega``.

Derivation chain: qsym's local (or, for one TLS, global) master equation of each model ->
closed-form steady state (``steady_state``; the incoherent model is a 4-level Markov chain, the
coherent one a population-coherence sector) -> current operators ``J_X = L_X^dag H``
(:meth:`MasterEquation.current_operator`) and currents ``Tr[J_X rho]`` -> series in ``eps`` ->
second-law certificates (:func:`qsym.second_law_certificate`).

Findings (each a record of ``qsym verify diosi-thermalizers``):

* slide 2: the stationary state is ``e^{-beta omega n}/(1 + e^{-beta omega})``; the printed
  ``e^{-beta n}`` lacks ``omega``.  The current operator is ``L^dag H = -Gamma omega n
  + Gamma omega e^{-beta omega}(1 - n)``; the printed ``e^{+beta omega}`` has the wrong sign
  in the exponent.  ``Tr(J rho_s) = 0`` holds.
* slide 3: the Levy-Kosloff steady state violates the second law whenever
  ``omega_A/T_A > omega_B/T_B`` with ``T_A > T_B`` (for every ``eps > 0``, so also at weak
  coupling); at resonance it obeys it.
* slide 4: the first-order steady state is right once ``rho^s_X = e^{-beta_X H_X}/Z_X`` (the
  slide-2 state, corrected) is used; literally (with the slide-2 ``e^{-beta n}``) it is not.
* slide 5: ``J_A = L_A^* H_A`` lacks the factor ``omega_A``; the lowest-order current is
  ``eps omega [e^{-omega beta_A}/(1 + e^{-omega beta_A}) - e^{-omega beta_B}/(1 + e^{-omega beta_B})]``,
  not ``eps omega (e^{-omega beta_A} - e^{-omega beta_B})`` (they agree only at low temperature);
  ``Gamma`` does cancel, ``J_A + J_B = 0``, and heat flows from hot to cold at every order in
  ``eps`` and for any ``Gamma_A, Gamma_B`` (a certificate ``F [x_A - x_B]``, ``F >= 0``).

The ``published_*`` functions transcribe the slides (for comparison only); ``beta_X = 1/T_X``.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import sympy as sp

import qsym as qs
from qsym.baths import BoltzmannFactor, ThermalizerBath
from qsym.model import Dissipator
from qsym.numeric.solver import NumericSolver
from qsym.numeric.targets import Target

NAME = "diosi-thermalizers"
TITLE = "Diosi (2014), Autonomy of coupled quantum thermodynamic systems: thermalizers, coherent and incoherent coupling"
SEED = "001_a34d5d2333a6057f.txt"

w, T, G = qs.symbols("omega T Gamma", positive=True)
wA, wB, TA, TB, GA, GB, eps = qs.symbols("omega_A omega_B T_A T_B Gamma_A Gamma_B epsilon", positive=True)
beta = qs.DefinedSymbol("beta", 1 / T, positive=True)
betaA = qs.DefinedSymbol("beta_A", 1 / TA, positive=True)
betaB = qs.DefinedSymbol("beta_B", 1 / TB, positive=True)

WEAK = (0.005, 0.05)  # eps range of the weak-coupling copy of the Levy-Kosloff model


# ==========================================================================================
# Models
# ==========================================================================================
@lru_cache(maxsize=None)
def one_site():
    """One TLS ``{a, a^dag} = 1`` (a fermion mode, basis ``|0>, |1>``)."""
    return qs.fermions(1, names=["a"])[0]


@lru_cache(maxsize=None)
def two_sites():
    """TLS A and B (fermion modes; ``a^dag b`` is the flip-flop ``|10><01|``)."""
    return qs.fermions(2, names=["A", "B"])


@lru_cache(maxsize=None)
def single_model() -> qs.OpenSystem:
    """Slide 2: ``H = omega n``, thermalizer ``L`` (emission ``Gamma``, absorption ``Gamma e^{-beta omega}``)."""
    a = one_site()
    return qs.OpenSystem(w * a.n, couplings=(qs.Coupling(a.c, ThermalizerBath("A", T, rate=G)),),
                         name="TLS + thermalizer")


def _thermalizers(equal_rates=False):
    gA, gB = (G, G) if equal_rates else (GA, GB)
    return ThermalizerBath("A", TA, rate=gA), ThermalizerBath("B", TB, rate=gB)


def _couplings(equal_rates=False):
    A, B = two_sites()
    bA, bB = _thermalizers(equal_rates)
    return (qs.Coupling(A.c, bA), qs.Coupling(B.c, bB))


@lru_cache(maxsize=None)
def uncoupled_model() -> qs.OpenSystem:
    """Slide 3, first line: TLS A and B, each in its own thermalizer, not coupled."""
    A, B = two_sites()
    return qs.OpenSystem(wA * A.n + wB * B.n, couplings=_couplings(), name="uncoupled TLS")


@lru_cache(maxsize=None)
def coherent_model(resonant: bool = False, weak: bool = False) -> qs.OpenSystem:
    """Slide 3: ``H = H_A + H_B + K_AB``, ``K_AB = eps (a^dag b + b^dag a)``; with ``resonant`` the
    frequencies are equal (``omega``); with ``weak`` the coupling is sampled in ``eps in [0.005, 0.05]``."""
    A, B = two_sites()
    a_, b_ = (w, w) if resonant else (wA, wB)
    K = eps * (A.cd * B.c + B.cd * A.c)
    return qs.OpenSystem(a_ * A.n + b_ * B.n + K, couplings=_couplings(),
                         domain={eps: WEAK} if weak else {}, name="Levy-Kosloff")


def noise_dissipator() -> Dissipator:
    """Slide 3: ``L^K_AB``, the average over the white-noise coupling
    ``sqrt(eps)(xi a^dag b + xi^* b^dag a)``: jumps ``sqrt(eps) a^dag b`` and ``sqrt(eps) a b^dag``."""
    A, B = two_sites()
    return Dissipator("K", ((eps, A.cd * B.c), (eps, A.c * B.cd)))


@lru_cache(maxsize=None)
def incoherent_model(equal_rates: bool = False, resonant: bool = True) -> qs.OpenSystem:
    """Slides 3-4: ``H = omega (n_A + n_B)``, thermalizers ``L_A, L_B`` and ``L^K_AB``.
    ``equal_rates``: ``Gamma_A = Gamma_B = Gamma`` (slide 4); ``resonant=False``: ``omega_A != omega_B``."""
    A, B = two_sites()
    a_, b_ = (w, w) if resonant else (wA, wB)
    return qs.OpenSystem(a_ * A.n + b_ * B.n, couplings=_couplings(equal_rates),
                         dissipators=(noise_dissipator(),), name="incoherent resonant coupling")


@lru_cache(maxsize=None)
def master_equation(which: str, **kw) -> qs.MasterEquation:
    """The master equation of a model: Diosi's local thermalizers ``L_A + L_B (+ L^K_AB)``
    (:func:`qsym.local_master_equation`); for one TLS the global (Davies) equation, which coincides."""
    if which == "single":
        return qs.global_master_equation(single_model())
    if which == "coherent" and kw.get("weak"):
        # the same equation, only sampled at weak coupling: reuse the derivation
        base = master_equation("coherent", resonant=kw.get("resonant", False))
        return replace(base, model=coherent_model(resonant=kw.get("resonant", False), weak=True))
    model = {"uncoupled": uncoupled_model, "coherent": coherent_model, "incoherent": incoherent_model}[which](**kw)
    return qs.local_master_equation(model)


@lru_cache(maxsize=None)
def steady_state(which: str, **kw) -> qs.SteadyState:
    if which == "coherent" and kw.get("weak"):
        base = steady_state("coherent", resonant=kw.get("resonant", False))
        return replace(base, master_equation=master_equation(which, **kw))
    return master_equation(which, **kw).steady_state()


@lru_cache(maxsize=None)
def certificate(which: str, **kw) -> qs.SecondLawCertificate:
    me = master_equation(which, **kw)
    return qs.second_law_certificate(me, steady_state(which, **kw))


# ==========================================================================================
# Derived quantities
# ==========================================================================================
def rho_site(which: str, **kw) -> sp.Matrix:
    """Steady state in the product (occupation) basis."""
    return steady_state(which, **kw).in_site_basis().applyfunc(sp.factor)


def current_operator(which: str, bath: str, **kw) -> qs.Operator:
    """``J_X = L_X^dag H`` in the product basis (slides 2 and 5)."""
    Jop = master_equation(which, **kw).current_operator(bath, basis="site")
    return qs.Operator(Jop.matrix.applyfunc(sp.factor), Jop.space)


def relaxation_rates(model) -> dict:
    """``{Gamma_X: gamma_X}``: the relaxation rate ``gamma_X = Gamma_X (1 + e^{-omega_X/T_X})`` of each
    thermalized TLS (the decay rate of ``<n_X>``), a defined symbol used to print results compactly."""
    out = {}
    for c in model.couplings:
        b = c.bath
        wx = [x for x in model.H.free_symbols() if x.name.startswith("omega")]
        wx = [x for x in wx if x.name == f"omega_{b.name}"] or wx
        gam = qs.DefinedSymbol(f"gamma_{b.name}", b.rate * (1 + b.occupation(wx[0])), positive=True)
        out[b.rate] = (gam, b.occupation(wx[0]))
    return out


def in_relaxation_rates(expr, model):
    """``expr`` rewritten with ``Gamma_X = gamma_X / (1 + x_X)``; a denominator with a
    ``(omega_A - omega_B)^2`` part is printed as ``D_0 + c (omega_A - omega_B)^2``."""
    reps = relaxation_rates(model)
    e = sp.factor(sp.sympify(expr).xreplace({G_: g / (1 + x) for G_, (g, x) in reps.items()}))
    num, den = sp.fraction(e)
    atoms = {a: sp.Dummy() for a in den.atoms(BoltzmannFactor)}   # keep x_A(omega_A) intact
    back = {v: k for k, v in atoms.items()}
    dd = den.xreplace(atoms)
    if {wA, wB} <= dd.free_symbols:
        dd = sp.expand(dd)
        d0 = sp.expand(dd.xreplace({wA: wB}))
        rest = sp.factor(dd - d0)
        if rest != 0 and sp.expand(rest.xreplace({wA: wB})) == 0:
            den = sp.Add(sp.factor(d0).xreplace(back), rest.xreplace(back), evaluate=False)
    return num / den


def current(which: str, bath: str, **kw) -> sp.Expr:
    """``Tr[J_X rho_s]``, written as ``F [x_X - x_Y]`` (``x_X = e^{-omega/T_X}``) when it has that
    form, with ``F`` in the relaxation rates ``gamma_X``."""
    me, ss = master_equation(which, **kw), steady_state(which, **kw)
    q = sp.factor(me.expectation(me.current_operator(bath), ss))
    try:
        F, diff = qs.flux_form(q)
    except ValueError:
        return q
    return sp.Mul(in_relaxation_rates(F, me.model), diff, evaluate=False)


def order_eps(expr, k: int):
    """Coefficient of ``eps^k`` of the Taylor series of ``expr`` (exact closed form) at ``eps = 0``."""
    return sp.factor(sp.diff(expr, eps, k).subs(eps, 0) / sp.factorial(k))


def first_order_state() -> tuple[sp.Matrix, sp.Matrix]:
    """Slide 4: ``rho_s = rho^(0) + eps rho^(1) + O(eps^2)`` for ``Gamma_A = Gamma_B = Gamma``,
    from the exact steady state of the incoherent model (product basis, diagonal)."""
    rho = rho_site("incoherent", equal_rates=True)
    return rho.applyfunc(lambda e: order_eps(e, 0)), rho.applyfunc(lambda e: order_eps(e, 1))


def first_order_current(bath: str = "A") -> sp.Expr:
    """Slide 5: ``eps`` times the first-order coefficient of the exact ``J_X`` (any ``Gamma_A, Gamma_B``)."""
    q = master_equation("incoherent").expectation(master_equation("incoherent").current_operator(bath),
                                                  steady_state("incoherent"))
    return sp.factor(eps * order_eps(q, 1))


def first_order_current_limit(bath: str = "A") -> qs.Limit:
    """Slide 5 as a regime: ``qs.weak_dissipation`` of the exact ``J_X`` in ``eps/Gamma_A``
    (leading order; the neglected terms are ``O(eps/Gamma_A)`` relative, checked in mpmath)."""
    me = master_equation("incoherent")
    q = me.expectation(me.current_operator(bath), steady_state("incoherent"))
    return qs.weak_dissipation(q, eps, GA, order=0, assumptions=me.model.assumptions)


def generic_matrix(d: int, tag: str = "X") -> sp.Matrix:
    """A generic complex ``d x d`` matrix with real symbols (to compare superoperators by their action)."""
    return sp.Matrix(d, d, lambda i, j: sp.Symbol(f"{tag}re{i}{j}", real=True) + sp.I * sp.Symbol(f"{tag}im{i}{j}", real=True))


def re_im(M) -> sp.Matrix:
    """Real and imaginary parts of every element (column: Re row-major, then Im)."""
    M = sp.Matrix(M)
    els = [sp.expand(e) for e in M]
    return sp.Matrix([sp.re(e) for e in els] + [sp.im(e) for e in els])


def _anti(A, B):
    return A * B + B * A


# ==========================================================================================
# Transcriptions of the slides (for comparison only)
# ==========================================================================================
def published_thermalizer(X: sp.Matrix) -> sp.Matrix:
    """Slide 2: ``L rho = Gamma (a rho a^dag - {n, rho}/2) + Gamma e^{-beta omega} (a^dag rho a - {1 - n, rho}/2)``."""
    a = one_site()
    A, Ad, n, one = a.c.matrix, a.cd.matrix, a.n.matrix, sp.eye(2)
    return G * (A * X * Ad - _anti(n, X) / 2) + G * sp.exp(-beta * w) * (Ad * X * A - _anti(one - n, X) / 2)


def published_rho_s(reading: str = "as printed", site=None, b=None, om=None) -> sp.Matrix:
    """Slide 2: ``rho_s = e^{-beta n}/(1 + e^{-beta omega})``.  ``reading="e^{-beta H}"``: with the
    exponent ``-beta omega n`` (the Gibbs state of ``H = omega n``)."""
    site = site or one_site()
    b, om = (beta, w) if b is None else (b, om)
    n = site.n.matrix
    expo = -b * n if reading == "as printed" else -b * om * n
    return expo.exp() / (1 + sp.exp(-b * om))


def published_current_operator() -> sp.Matrix:
    """Slide 2: ``J = L^* H = -Gamma omega n + Gamma omega e^{beta omega} (1 - n)``."""
    n = one_site().n.matrix
    return -G * w * n + G * w * sp.exp(beta * w) * (sp.eye(2) - n)


def published_noise_dissipator(X: sp.Matrix) -> sp.Matrix:
    """Slide 3: ``L^K_AB rho = eps (a^dag b rho b^dag a + a b^dag rho b a^dag - {n_A + n_B - 2 n_A n_B, rho}/2)``."""
    A, B = two_sites()
    a, ad, b, bd, nA, nB = A.c.matrix, A.cd.matrix, B.c.matrix, B.cd.matrix, A.n.matrix, B.n.matrix
    return eps * (ad * b * X * bd * a + a * bd * X * b * ad - _anti(nA + nB - 2 * nA * nB, X) / 2)


def published_full_generator(X: sp.Matrix) -> sp.Matrix:
    """Slide 4: the full master equation (its right-hand side at ``rho_AB = X``)."""
    A, B = two_sites()
    a, ad, b, bd, nA, nB = A.c.matrix, A.cd.matrix, B.c.matrix, B.cd.matrix, A.n.matrix, B.n.matrix
    one = sp.eye(4)
    N = nA + nB
    return (-sp.I * w * (N * X - X * N)
            + GA * (a * X * ad - _anti(nA, X) / 2) + GA * sp.exp(-betaA * w) * (ad * X * a - _anti(one - nA, X) / 2)
            + GB * (b * X * bd - _anti(nB, X) / 2) + GB * sp.exp(-betaB * w) * (bd * X * b - _anti(one - nB, X) / 2)
            + published_noise_dissipator(X))


def published_commutator() -> sp.Matrix:
    """Slide 3: ``[K_AB, H_A + H_B] = 0`` in resonance (both noise terms ``a^dag b``, ``b^dag a``)."""
    return sp.zeros(4, 8)


def _rho_AB(reading):
    A, B = two_sites()
    return (published_rho_s(reading, A, betaA, w) * published_rho_s(reading, B, betaB, w))


def published_first_order_state(reading: str = "as printed") -> sp.Matrix:
    """Slide 4 (``Gamma_A = Gamma_B = Gamma``, ``omega_A = omega_B = omega``):
    ``rho_AB = rho_A rho_B - (eps/Gamma) (D^2 rho_A rho_B + D_A D_B + 2 D_A + 2 D_B)
    / ((2 + e^{-beta_A omega} + e^{-beta_B omega})(1 + e^{-beta_A omega})(1 + e^{-beta_B omega}))``,
    ``D = e^{-omega beta_A} - e^{-omega beta_B}``, ``D_A = e^{-omega beta_A} n_A - e^{-omega beta_B} n_A``,
    ``D_B = e^{-omega beta_B} n_B - e^{-omega beta_A} n_B``; ``rho_X`` as on slide 2 (``reading``)."""
    A, B = two_sites()
    xa, xb = sp.exp(-w * betaA), sp.exp(-w * betaB)
    nA, nB = A.n.matrix, B.n.matrix
    D = xa - xb
    DA, DB = xa * nA - xb * nA, xb * nB - xa * nB
    rr = _rho_AB(reading)
    den = (2 + sp.exp(-betaA * w) + sp.exp(-betaB * w)) * (1 + sp.exp(-betaA * w)) * (1 + sp.exp(-betaB * w))
    return rr - eps / G * (D**2 * rr + DA * DB + 2 * DA + 2 * DB) / den


def published_first_order_correction() -> sp.Matrix:
    """The ``eps``-term of :func:`published_first_order_state` with ``rho_X = e^{-beta_X H_X}/Z_X``."""
    full = published_first_order_state("e^{-beta H}")
    return full - _rho_AB("e^{-beta H}")


def published_site_current_operator(bath: str) -> sp.Matrix:
    """Slide 5: ``J_A = L_A^* H_A = -Gamma_A n_A + Gamma_A e^{-beta_A omega_A}(1 - n_A)`` (and B);
    here ``omega_A = omega_B = omega``."""
    A, B = two_sites()
    site, g, b = (A, GA, betaA) if bath == "A" else (B, GB, betaB)
    n = site.n.matrix
    return -g * n + g * sp.exp(-b * w) * (sp.eye(4) - n)


def published_first_order_current() -> sp.Expr:
    """Slide 5: ``J^s_A = eps omega (e^{-omega beta_A} - e^{-omega beta_B})``."""
    return eps * w * (sp.exp(-w * betaA) - sp.exp(-w * betaB))


# ==========================================================================================
# Numeric targets (read off the independent numeric solver)
# ==========================================================================================
def _part(z, part):
    return float(np.real(z)) if part == "re" else float(np.imag(z))


@dataclass(frozen=True)
class SiteElement(Target):
    """``Re/Im <i|rho_ss|j>`` in the product basis."""

    i: int
    j: int
    part: str = "re"
    zero_expected: bool = False

    def numeric(self, me, res, values):
        return _part(res.rho[self.i, self.j], self.part)

    def describe(self):
        return f"{self.part} rho[{self.i},{self.j}] (product basis)"


def _adjoint_numeric(jumps, X):
    out = np.zeros_like(X, dtype=complex)
    for jp in jumps:
        J = jp.operator
        JdJ = J.conj().T @ J
        out += jp.rate * (J.conj().T @ X @ J - 0.5 * (JdJ @ X + X @ JdJ))
    return out


@dataclass(frozen=True)
class CurrentOperatorElement(Target):
    """``Re/Im <i|D_X^dag(H)|j>`` (product basis) from the numeric dissipator of ``bath``."""

    bath: str
    i: int
    j: int
    part: str = "re"
    zero_expected: bool = False

    def numeric(self, me, res, values):
        J = _adjoint_numeric(res.dissipators[self.bath].jumps, np.asarray(res.H, complex))
        return _part(J[self.i, self.j], self.part)

    def describe(self):
        return f"{self.part} (L_{self.bath}^dag H)[{self.i},{self.j}]"


_LAMBDA: dict = {}


def _numeric_matrix(M: sp.Matrix, values) -> np.ndarray:
    M = sp.ImmutableMatrix(M)
    if M not in _LAMBDA:
        syms = sorted(M.free_symbols, key=str)
        _LAMBDA[M] = (syms, sp.lambdify(syms, M, "numpy"))
    syms, f = _LAMBDA[M]
    # entries the derived expression does not depend on were not sampled: give them fixed values
    # (the numeric value must not depend on them either)
    fill = np.random.default_rng(12345).uniform(-3, 3, len(syms))
    return np.array(f(*[values.get(s, float(v)) for s, v in zip(syms, fill)]), dtype=complex)


@dataclass(frozen=True)
class GeneratorPairing(Target):
    """``Re/Im Tr[Y^dag L(X)]`` for the symbolic test matrices ``X, Y`` at the sample: ``L`` is the
    whole numeric Liouvillian (``name=None``) or one numeric dissipator ``D_name``.  For generic
    ``X, Y`` this pairing determines the superoperator."""

    X: sp.ImmutableMatrix
    Y: sp.ImmutableMatrix
    name: str | None
    part: str = "re"

    def numeric(self, me, res, values):
        X = _numeric_matrix(self.X, values)
        Y = _numeric_matrix(self.Y, values)
        d = X.shape[0]
        if self.name is None:
            LX = (res.liouvillian @ X.reshape(-1, order="F")).reshape((d, d), order="F")
        else:
            LX = res.dissipators[self.name](X)
        return _part(np.trace(Y.conj().T @ LX), self.part)

    def describe(self):
        return f"{self.part} Tr[Y^dag L(X)]"


@dataclass(frozen=True)
class JumpCommutator(Target):
    """``Re/Im`` of element ``k`` of ``[J, H]`` for jump ``jump`` of the numeric dissipator ``name``."""

    name: str
    jump: int
    k: int
    part: str = "re"
    zero_expected: bool = True

    def numeric(self, me, res, values):
        J = res.dissipators[self.name].jumps[self.jump].operator
        C = J @ res.H - res.H @ J
        return _part(C.reshape(-1)[self.k], self.part)


@dataclass(frozen=True)
class CurrentSum(Target):
    """``sum_X q^X`` of the numeric solver (expected 0)."""

    zero_expected: bool = True

    def numeric(self, me, res, values):
        return float(sum(res.heat_currents.values()))


@dataclass(frozen=True)
class AbsHeatCurrent(Target):
    """``q^X`` of the numeric solver when it is expected to vanish (absolute error)."""

    bath: str
    zero_expected: bool = True

    def numeric(self, me, res, values):
        return res.heat_currents[self.bath]


@dataclass(frozen=True)
class NoisePower(Target):
    """``Tr[H D_K(rho)]``: the energy the noise dissipator injects (numeric solver)."""

    name: str

    def numeric(self, me, res, values):
        return res.noise_energy_currents[self.name]


_FIRST: dict = {}


def _perturbative(res, values, dissipator: str, coupling) -> tuple[np.ndarray, np.ndarray]:
    """``rho^(0)``, ``rho^(1)`` of ``L = L0 + eps L1`` (``eps L1`` the numeric dissipator ``dissipator``):
    ``L0 rho0 = 0``, ``L0 rho1 = -L1 rho0`` with ``Tr rho0 = 1``, ``Tr rho1 = 0`` (numeric linear algebra)."""
    key = id(res)
    if key in _FIRST and _FIRST[key][0] is res:
        return _FIRST[key][1]
    L = res.liouvillian.toarray()
    DK = res.dissipators[dissipator].superoperator.toarray()
    e = float(values[coupling])
    L0, L1 = L - DK, DK / e
    d = res.H.shape[0]
    tr = np.eye(d).reshape(-1, order="F")
    M = np.vstack([L0, tr[None, :]])
    rhs0 = np.zeros(d * d + 1, complex)
    rhs0[-1] = 1.0
    r0 = np.linalg.lstsq(M, rhs0, rcond=None)[0]
    r1 = np.linalg.lstsq(M, np.concatenate([-L1 @ r0, [0.0]]), rcond=None)[0]
    out = (r0.reshape((d, d), order="F"), r1.reshape((d, d), order="F"))
    _FIRST[key] = (res, out)
    return out


@dataclass(frozen=True)
class FirstOrderSiteElement(Target):
    """``Re <i|rho^(0) + eps rho^(1)|i>`` (``which="series"``) or ``eps rho^(1)`` (``"correction"``)
    from numeric first-order perturbation theory in the noise dissipator."""

    i: int
    which: str = "series"
    dissipator: str = "K"
    coupling: sp.Symbol = eps

    def numeric(self, me, res, values):
        r0, r1 = _perturbative(res, values, self.dissipator, self.coupling)
        e = float(values[self.coupling])
        M = r0 + e * r1 if self.which == "series" else e * r1
        return float(np.real(M[self.i, self.i]))

    def describe(self):
        return f"first-order rho[{self.i},{self.i}] ({self.which})"


def _first_order_heat(res, values, bath, dissipator, coupling):
    _, r1 = _perturbative(res, values, dissipator, coupling)
    return float(np.real(np.trace(res.H @ res.dissipators[bath](r1))))


@dataclass(frozen=True)
class FirstOrderHeatCurrent(Target):
    """``eps * d q^X/d eps`` at ``eps = 0`` (numeric first-order perturbation theory)."""

    bath: str
    dissipator: str = "K"
    coupling: sp.Symbol = eps

    def numeric(self, me, res, values):
        return float(values[self.coupling]) * _first_order_heat(res, values, self.bath, self.dissipator, self.coupling)


@dataclass(frozen=True)
class FirstOrderCurrentChange(Target):
    """Change of the first-order current when the rates are rescaled (``Gamma_X -> c_X Gamma_X``):
    zero if ``Gamma`` cancels (slide 5)."""

    bath: str
    scaling: tuple  # ((symbol, factor), ...)
    dissipator: str = "K"
    coupling: sp.Symbol = eps
    zero_expected: bool = True

    def numeric(self, me, res, values):
        v2 = dict(values)
        for s, c in self.scaling:
            v2[s] = c * values[s]
        res2 = NumericSolver(me.model, master="local" if "local" in me.kind else "global").solve(
            {s: v2[s] for s in me.model.parameters})
        e = float(values[self.coupling])
        return e * (_first_order_heat(res2, v2, self.bath, self.dissipator, self.coupling)
                    - _first_order_heat(res, values, self.bath, self.dissipator, self.coupling))


def _clausius(res, hot="A", cold="B") -> bool:
    q = res.heat_currents
    scale = max(1e-300, max(abs(v) for v in q.values()))
    dT = res.temperatures[hot] - res.temperatures[cold]
    return bool(q[hot] * np.sign(dT) >= -1e-10 * scale and res.entropy_production >= -1e-10 * scale)


@dataclass(frozen=True)
class ClausiusAtSample(Target):
    """1 if at the sample heat enters the system from the hotter bath and ``sigma >= 0`` (numeric), else 0."""

    def numeric(self, me, res, values):
        return 1.0 if _clausius(res) else 0.0


_VIOL: dict = {}


@dataclass(frozen=True)
class ViolationAt(Target):
    """1 if the numeric solver finds ``sigma < 0`` (heat into the system from the colder bath) at the
    fixed parameter point ``point`` (independent of the sample), else 0."""

    point: tuple  # ((name, value), ...)

    def numeric(self, me, res, values):
        key = (id(me.model), self.point)
        if key not in _VIOL:
            by_name = dict(self.point)
            vals = {s: by_name[s.name] for s in me.model.parameters}
            r = NumericSolver(me.model, master="local" if "local" in me.kind else "global").solve(vals)
            _VIOL[key] = 1.0 if (r.entropy_production < 0 and not _clausius(r)) else 0.0
        return _VIOL[key]


def _elementwise(M: sp.Matrix, make):
    """``(derived elements, targets)`` for a matrix: ``make(i, j, zero)`` builds each target."""
    M = sp.Matrix(M)
    tg = [make(i, j, sp.simplify(M[i, j]) == 0) for i in range(M.rows) for j in range(M.cols)]
    return M.reshape(M.rows * M.cols, 1), tg


def pairing(Y: sp.Matrix, M: sp.Matrix) -> sp.Matrix:
    """``(Re, Im)`` of ``Tr[Y^dag M]``."""
    z = sp.expand((Y.H * M).trace())
    return sp.Matrix([sp.re(z), sp.im(z)])


def _pairing_record(X, Y, name, LX):
    """Derived ``(Re, Im) Tr[Y^dag L(X)]`` and its two numeric targets."""
    return pairing(Y, LX), [GeneratorPairing(sp.ImmutableMatrix(X), sp.ImmutableMatrix(Y), name, p)
                            for p in ("re", "im")]


def definitions():
    rates = relaxation_rates(coherent_model())
    return (beta, betaA, betaB) + tuple(g for g, _ in rates.values())


# ==========================================================================================
# Results
# ==========================================================================================
def results() -> list[qs.Result]:
    R = qs.Result
    out: list[qs.Result] = []

    # ---- slide 2: one TLS + thermalizer ---------------------------------------------------
    me1 = master_equation("single")
    X2, Y2 = generic_matrix(2), generic_matrix(2, "Y")
    derived, tg = _pairing_record(X2, Y2, "A", me1.apply(qs.Operator(X2, one_site().space), bath="A",
                                                         basis="site").matrix)
    out.append(R("thermalizer L(rho)", "slide 2", derived, me1, tg, pairing(Y2, published_thermalizer(X2)),
                 latex_name=r"\mathcal{L}\rho",
                 note="qsym's ThermalizerBath (emission Gamma, absorption Gamma e^{-omega/T}) coupled through a "
                      "reproduces the slide's thermalizer, compared by Tr[Y^dag L(X)] for generic complex 2x2 X, Y"))
    rho1 = rho_site("single")
    d_, tg = _elementwise(rho1, lambda i, j, z: SiteElement(i, j, "re", z))
    out.append(R("rho_s", "slide 2", d_, me1, tg, published_rho_s().reshape(4, 1), latex_name=r"\hat\rho_s",
                 note="stationary state of the thermalizer, basis (|0>, |1>). As printed, e^{-beta n}/(1+e^{-beta omega}) "
                      "is not normalised and not stationary: the exponent lacks omega. Corrected: "
                      "rho_s = e^{-beta omega n}/(1 + e^{-beta omega}) = e^{-beta H}/Z, which the derived state equals"))
    J1 = current_operator("single", "A")
    d_, tg = _elementwise(J1.matrix, lambda i, j, z: CurrentOperatorElement("A", i, j, "re", z))
    out.append(R("J = L^* H", "slide 2", d_, me1, tg, published_current_operator().reshape(4, 1),
                 latex_name=r"\hat J",
                 note="current operator L^dag(H) (MasterEquation.current_operator), basis (|0>, |1>). Printed: "
                      "-Gamma omega n + Gamma omega e^{+beta omega}(1-n); the exponent has the wrong sign. "
                      "Corrected: J = -Gamma omega n + Gamma omega e^{-beta omega}(1 - n)"))
    ss1 = steady_state("single")
    out.append(R("Tr(J rho_s) = 0", "slide 2", sp.simplify(me1.expectation(me1.current_operator("A"), ss1)), me1,
                 AbsHeatCurrent("A"), sp.S.Zero, latex_name=r"\mathrm{Tr}(\hat J\hat\rho_s)",
                 note="the derived J and rho_s give zero (with the printed, incorrect J and rho_s it would not); "
                      "Tr(J rho) = q^A of qsym.thermo.heat_current by duality"))

    # ---- slide 3: uncoupled, and the Levy-Kosloff (coherent, local) equation ----------------
    me0 = master_equation("uncoupled")
    A, B = two_sites()
    rho0 = rho_site("uncoupled")
    prod = published_rho_s("e^{-beta H}", A, betaA, wA) * published_rho_s("e^{-beta H}", B, betaB, wB)
    d_, tg = _elementwise(rho0, lambda i, j, z: SiteElement(i, j, "re", z))
    out.append(R("rho_AB^s = rho_A^s rho_B^s", "slide 3", d_, me0, tg, prod.reshape(16, 1),
                 latex_name=r"\hat\rho^s_{AB}",
                 note="without coupling the joint steady state of L_A + L_B is the product of the local ones; "
                      "reading rho^s_X = e^{-beta_X H_X}/Z_X (slide 2's printed e^{-beta n} lacks omega, "
                      "see record rho_s)"))
    meC = master_equation("coherent")
    rhoC = rho_site("coherent")
    pts = [(0, 0), (1, 1), (2, 2), (3, 3), (1, 2)]
    coh = in_relaxation_rates(rhoC[1, 2], meC.model)
    dC = sp.Matrix([rhoC[i, i] for i in range(4)]
                   + [sp.factor(sp.re(sp.expand(coh))), sp.factor(sp.im(sp.expand(coh)))])
    tgC = [SiteElement(i, j, "re") for i, j in pts] + [SiteElement(1, 2, "im")]
    out.append(R("rho_AB^s (Levy-Kosloff)", "slide 3", dC, meC, tgC, None,
                 latex_name=r"\hat\rho^s_{AB}",
                 note="local master equation -i[H_A + H_B + K_AB, rho] + (L_A + L_B) rho, omega_A != omega_B: "
                      "populations of |00>,|01>,|10>,|11> and Re, Im of <01|rho|10> (the coherence the coupling "
                      "creates; written with the relaxation rates gamma_X = Gamma_X (1 + e^{-omega_X/T_X}))"))
    for bath in ("A", "B"):
        out.append(R(f"q^{bath} (Levy-Kosloff)", "slide 3", current("coherent", bath), meC, qs.HeatCurrent(bath),
                     None, latex_name=f"q^{bath}",
                     note="Tr[(L_X^dag H) rho_s] with the full H = H_A + H_B + K_AB: proportional to "
                          "e^{-omega_A/T_A} - e^{-omega_B/T_B}, Boltzmann factors at different frequencies"))
    cw = certificate("coherent", weak=True)
    meW = master_equation("coherent", weak=True)
    ce = cw.counterexample or {}
    point = tuple(sorted(ce.get("parameters", {}).items()))
    pretty = ", ".join(f"{k}={v:.4g}" for k, v in point)
    out.append(R("LK: 2nd law may be violated", "slide 3", sp.Integer(1 if cw.status == "violated" else 0), meW,
                 ViolationAt(point), sp.Integer(1), latex_name=r"\sigma<0\ \text{possible}",
                 note=f"qs.second_law_certificate on the Levy-Kosloff equation with omega_A != omega_B and weak "
                      f"coupling eps in {WEAK}: {cw.status}; counterexample {pretty}: sigma = "
                      f"{ce.get('sigma_closed_form', float('nan')):.4g} (closed form), "
                      f"{ce.get('sigma_numeric_solver', float('nan')):.4g} (numeric solver), heat currents "
                      f"{ce.get('heat_currents')}. q^A = F [e^{{-omega_A/T_A}} - e^{{-omega_B/T_B}}] with F > 0 "
                      f"and F ~ eps^2: heat flows from cold to hot whenever T_A > T_B but omega_A/T_A > omega_B/T_B "
                      f"(possible only for omega_A > omega_B), "
                      f"for every eps > 0 ('incorrect even for weak coupling')"))
    meR = master_equation("coherent", resonant=True)
    cr = certificate("coherent", resonant=True)
    out.append(R("LK resonant: 2nd law", "slide 3", sp.Integer(1 if cr.status == "holds" else 0), meR,
                 ClausiusAtSample(), None, latex_name=r"\sigma\geq 0\ (\omega_A=\omega_B)",
                 note=f"resonant case omega_A = omega_B: certificate {cr.status} "
                      f"(q^A = F [x_A(omega) - x_B(omega)], F >= 0); the numeric solver confirms Clausius at every "
                      f"sample"))

    # ---- slides 3-4: incoherent resonant coupling ---------------------------------------------
    meI = master_equation("incoherent")
    H_loc_ops = (w * A.n + w * B.n).matrix
    comm = []
    for J in (A.cd * B.c, B.cd * A.c):
        C = J.matrix * H_loc_ops - H_loc_ops * J.matrix
        comm.append(C)
    dK = sp.Matrix.hstack(*comm).reshape(32, 1)
    tgK = [JumpCommutator("K", 0 if k % 8 < 4 else 1, (k // 8) * 4 + (k % 4)) for k in range(32)]
    out.append(R("[K_AB, H_A + H_B] = 0", "slide 3", dK, meI, tgK, published_commutator().reshape(32, 1),
                 latex_name=r"[\hat K_{AB}, \hat H_A + \hat H_B]",
                 note="in resonance both noise terms a^dag b and b^dag a commute with H_A + H_B (numeric check "
                      "with the jump operators [J, H] of the numeric solver, the second jump a b^dag = -(b^dag a))"))
    X4, Y4 = generic_matrix(4), generic_matrix(4, "Y")
    Xe = qs.Operator(X4, A.space)
    derived, tg = _pairing_record(X4, Y4, "K", meI.apply(Xe, bath="K", basis="site").matrix)
    out.append(R("L^K_AB rho", "slide 3", derived, meI, tg, pairing(Y4, published_noise_dissipator(X4)),
                 latex_name=r"\mathcal{L}^K_{AB}\rho",
                 note="qsym Dissipator with jumps sqrt(eps) a^dag b, sqrt(eps) a b^dag: its anticommutator term is "
                      "{n_A + n_B - 2 n_A n_B, rho}/2 as printed (Tr[Y^dag L(X)], generic complex 4x4 X, Y)"))
    derived, tg = _pairing_record(X4, Y4, None, meI.apply(Xe, basis="site").matrix)
    out.append(R("full master equation", "slide 4", derived, meI, tg, pairing(Y4, published_full_generator(X4)),
                 latex_name=r"\dot{\hat\rho}_{AB}",
                 note="qsym's local master equation -i[H, rho] + (L_A + L_B + L^K_AB) rho of the model vs the "
                      "slide's full equation (Tr[Y^dag L(X)], generic complex 4x4 X, Y)"))
    rhoI = rho_site("incoherent")
    dI = sp.Matrix([in_relaxation_rates(rhoI[i, i], meI.model) for i in range(4)])
    out.append(R("rho_AB^s (exact)", "slide 4", dI, meI, [SiteElement(i, i) for i in range(4)], None,
                 latex_name=r"\hat\rho^s_{AB}",
                 note="all orders in eps, any Gamma_A, Gamma_B: populations of |00>, |01>, |10>, |11> "
                      "(the state is diagonal: the generator does not couple populations to coherences); "
                      "gamma_X = Gamma_X (1 + e^{-omega/T_X})"))
    meE = master_equation("incoherent", equal_rates=True)
    r0, r1 = first_order_state()
    series = sp.Matrix([sp.factor(r0[i, i] + eps * r1[i, i]) for i in range(4)])
    pub_lit = published_first_order_state()
    out.append(R("rho^s_AB 1st order, printed", "slide 4", series, meE,
                 [FirstOrderSiteElement(i) for i in range(4)], sp.Matrix([pub_lit[i, i] for i in range(4)]),
                 latex_name=r"\hat\rho^s_{AB}",
                 note="Gamma_A = Gamma_B = Gamma, diagonal elements in the product basis (|00>,|01>,|10>,|11>), "
                      "the slide's rho^s_X = e^{-beta_X n_X}/(1 + e^{-beta_X omega}) as printed on slide 2: the "
                      "zeroth order inherits the missing omega. Corrected: rho^s_X = e^{-beta_X omega n_X}/"
                      "(1 + e^{-beta_X omega}); with it the whole formula holds (next record)"))
    corr = sp.Matrix([sp.factor(eps * r1[i, i]) for i in range(4)])
    pub_c = published_first_order_correction()
    out.append(R("O(eps/Gamma) correction", "slide 4", corr, meE,
                 [FirstOrderSiteElement(i, "correction") for i in range(4)], sp.Matrix([pub_c[i, i] for i in range(4)]),
                 latex_name=r"\hat\rho^{s(1)}_{AB}",
                 note="the eps term -(eps/Gamma)(D^2 rho_A rho_B + D_A D_B + 2 D_A + 2 D_B)/(...) with D, D_A, D_B "
                      "as defined on the slide (operators, compared element by element) and rho_X = "
                      "e^{-beta_X H_X}/Z_X; numeric target: first-order perturbation theory in L^K on the numeric "
                      "Liouvillian"))

    # ---- slide 5: heat flow -------------------------------------------------------------------
    for bath in ("A", "B"):
        Jx = current_operator("incoherent", bath)
        d_, tg = _elementwise(Jx.matrix, lambda i, j, z, b=bath: CurrentOperatorElement(b, i, j, "re", z))
        out.append(R(f"J_{bath} = L_{bath}^* H_{bath}", "slide 5", d_, meI, tg,
                     published_site_current_operator(bath).reshape(16, 1), latex_name=rf"\hat J_{bath}",
                     note=f"L_{bath}^dag applied to H (= L_{bath}^dag H_{bath}, since L_{bath}^dag H_{'B' if bath == 'A' else 'A'} = 0), "
                          f"product basis. Printed: -Gamma_{bath} n_{bath} + Gamma_{bath} e^{{-beta_{bath} omega_{bath}}}"
                          f"(1 - n_{bath}), which lacks the factor omega_{bath}. Corrected: J_{bath} = omega_{bath} "
                          f"[-Gamma_{bath} n_{bath} + Gamma_{bath} e^{{-beta_{bath} omega_{bath}}}(1 - n_{bath})]"))
    for bath in ("A", "B"):
        out.append(R(f"J^s_{bath} = Tr(J_{bath} rho_s)", "slide 5", current("incoherent", bath), meI,
                     qs.HeatCurrent(bath), None, latex_name=rf"J^s_{bath}",
                     note="all orders in eps, any Gamma_A, Gamma_B; equals qsym.thermo.heat_current (duality)"))
    JA, JB = (meI.expectation(meI.current_operator(b), steady_state("incoherent")) for b in ("A", "B"))
    out.append(R("J^s_A + J^s_B = 0", "slide 5", sp.simplify(sp.together(JA + JB)), meI, CurrentSum(), sp.S.Zero,
                 latex_name=r"J^s_A + J^s_B",
                 note="exact, every order in eps (the noise exchanges no energy at resonance: L^K dagger H = 0)"))
    limJ = first_order_current_limit("A")
    out.append(R("J^s_A to lowest order", "slide 5", limJ.leading, meI, FirstOrderHeatCurrent("A"),
                 published_first_order_current(), latex_name=r"J^s_A", limit=limJ,
                 note="eps times the first-order coefficient of the exact current (any Gamma_A, Gamma_B). Printed: "
                      "eps omega (e^{-omega beta_A} - e^{-omega beta_B}); it lacks the normalisation of the "
                      "stationary occupations. Corrected: J^s_A = eps omega [e^{-omega beta_A}/(1 + e^{-omega beta_A}) "
                      "- e^{-omega beta_B}/(1 + e^{-omega beta_B})] = eps omega (<n_A> - <n_B>)_0; the printed form "
                      "is its low-temperature limit"))
    J1A = first_order_current("A")
    change = sp.simplify(J1A.subs({GA: 2 * GA, GB: 3 * GB}) - J1A)
    out.append(R("Gamma cancels (lowest order)", "slide 5", change, meI,
                 FirstOrderCurrentChange("A", ((GA, 2), (GB, 3))), sp.S.Zero,
                 latex_name=r"J^{s(1)}_A(2\Gamma_A, 3\Gamma_B) - J^{s(1)}_A",
                 note="the first-order current does not depend on Gamma_A, Gamma_B (shown: its change under "
                      "Gamma_A -> 2 Gamma_A, Gamma_B -> 3 Gamma_B, symbolic and numeric); at higher orders it does"))
    cI = certificate("incoherent")
    terms = "; ".join(f"q^{b} = {sp.sstr(F)} [{sp.sstr(dd)}]" for b, ts in cI.terms.items() for F, dd in ts)
    out.append(R("hot->cold, 2nd law respected", "slide 5", sp.Integer(1 if cI.status == "holds" else 0), meI,
                 ClausiusAtSample(), sp.Integer(1), latex_name=r"\sigma\geq 0",
                 note=f"qs.second_law_certificate: {cI.status}, at every order in eps and for any Gamma_A, Gamma_B "
                      f"(the slides prove it for weak coupling and Gamma_A = Gamma_B): {terms}"))

    # ---- summary slide: off resonance ----------------------------------------------------------
    meN = master_equation("incoherent", resonant=False)
    PK = sp.factor(meN.expectation(meN.current_operator("K"), steady_state("incoherent", resonant=False)))
    out.append(R("noise power off resonance", "slide 6", PK, meN, NoisePower("K"), None,
                 latex_name=r"\mathrm{Tr}[\hat H\mathcal{L}^K_{AB}\hat\rho]",
                 note="with omega_A != omega_B the incoherent coupling injects energy Tr[H L^K rho] != 0 (q^A + q^B "
                      "= -P_K): the noise does work and heat can flow from cold to hot, so resonance is needed for "
                      "a passive coupling ('resonant coupling seems also necessary for consistency')"))
    return out
