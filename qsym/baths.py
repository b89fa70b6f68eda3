"""Reservoirs: spectral functions, occupations and the transition rates they induce.

Conventions: hbar = k_B = 1.  A bath couples to the system through an operator ``L`` in the
rotating-wave form ``H_SB = L^dag X + L X^dag`` (Fogedby 2023, eqs. 3.2-3.3 with ``L = sigma^-``)
or the Hermitian form ``H_SB = S (X + X^dag)``.  With ``g(omega) = 2 pi sum_k lambda_k^2
delta(omega - omega_k)`` (Fogedby eq. 3.6) a transition that releases energy ``omega > 0`` to a
bosonic bath has rate ``g(omega)(1 + n(omega))`` and the reverse one ``g(omega) n(omega)``
(Fogedby eqs. 5.8-5.9, 5.13-5.14).

A *thermalizer* (Diosi 2014, "Autonomy of coupled quantum thermodynamic systems", slide 2) is
the phenomenological reservoir of a two-level system: emission rate ``Gamma`` and absorption
rate ``Gamma e^{-omega/T}`` (detailed balance with a temperature-independent rate); see
:class:`ThermalizerBath` and its occupation-like Boltzmann factor :class:`BoltzmannFactor`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import warnings

import sympy as sp
from sympy.codegen.cfunctions import expm1

__all__ = [
    "BoseOccupation", "FermiOccupation", "BoltzmannFactor", "expand_occupations", "bose_occupation",
    "fermi_occupation", "boltzmann_factor",
    "SpectralFunction", "UndefinedSpectrum", "FlatSpectrum", "OhmicSpectrum", "LorentzianSpectrum",
    "Bath", "BosonicBath", "FermionicBath", "ThermalizerBath", "NegativeFrequencyError",
]


class NegativeFrequencyError(ValueError):
    """A spectral function or occupation was evaluated at a negative frequency."""


def _check_frequency(name: str, w) -> None:
    w = sp.sympify(w)
    if w.is_negative or (w.is_number and w.is_real and w < 0):
        raise NegativeFrequencyError(
            f"{name} is defined for omega > 0 only (a bath of positive-frequency modes), but was "
            f"evaluated at omega = {w}; use the emission/absorption rates of the bath, which take "
            f"|omega|, instead of evaluating it at a negative frequency")


class _Occupation(sp.Function):
    """Base of the per-bath occupation functions; the subclass carries the temperature."""

    temperature: sp.Expr = sp.Symbol("T", positive=True)
    chemical_potential: sp.Expr = sp.S.Zero
    nargs = 1

    @classmethod
    def eval(cls, w):
        _check_frequency(cls.__name__, w)
        return None

    def _eval_is_real(self):
        return True


class BoseOccupation(_Occupation):
    """Planck distribution ``n(omega) = 1/(exp(omega/T) - 1)`` (Fogedby eq. 3.7)."""

    def _eval_is_positive(self):
        if self.args[0].is_positive and self.temperature.is_positive:
            return True
        return None

    def _eval_rewrite_as_exp(self, w, **kwargs):
        return 1 / (sp.exp(w / self.temperature) - 1)

    def _eval_rewrite_as_expm1(self, w, **kwargs):
        return 1 / expm1(w / self.temperature)

    def fdiff(self, argindex=1):
        # dn/dw = -e^{w/T}/(T (e^{w/T} - 1)^2) = -n (1 + n)/T: derivatives (and so series
        # coefficients) stay polynomials in the occupation, in the paper's variables
        return -self * (1 + self) / self.temperature


class FermiOccupation(_Occupation):
    """Fermi distribution ``f(omega) = 1/(exp((omega - mu)/T) + 1)``."""

    @classmethod
    def eval(cls, w):
        return None  # defined for every real omega

    def _eval_is_positive(self):
        return True if self.temperature.is_positive else None

    def _eval_rewrite_as_exp(self, w, **kwargs):
        return 1 / (sp.exp((w - self.chemical_potential) / self.temperature) + 1)

    _eval_rewrite_as_expm1 = _eval_rewrite_as_exp

    def fdiff(self, argindex=1):
        return -self * (1 - self) / self.temperature  # = -e^x/(T (e^x + 1)^2), x = (w - mu)/T


class BoltzmannFactor(_Occupation):
    """Boltzmann factor ``x(omega) = exp(-omega/T)`` of a thermalizer (Diosi, slide 2: the
    absorption rate is ``Gamma e^{-beta omega}``, the emission rate ``Gamma``).

    It plays the role of an occupation: it increases with ``T`` for every ``omega > 0``, so
    ``x_A(omega) - x_B(omega)`` has the sign of ``T_A - T_B`` and currents of the form
    ``F [x_A(omega) - x_B(omega)]`` with ``F >= 0`` obey the second law
    (:func:`qsym.thermo.flux_form`, :func:`qsym.secondlaw.certify_currents`).  Kept as an
    unevaluated function so that such factors stay visible; prints as ``e^{-omega/T_A}``.
    """

    def _eval_is_positive(self):
        if self.args[0].is_real and self.temperature.is_positive:
            return True
        return None

    def _eval_rewrite_as_exp(self, w, **kwargs):
        return sp.exp(-w / self.temperature)

    _eval_rewrite_as_expm1 = _eval_rewrite_as_exp

    def fdiff(self, argindex=1):
        return -self / self.temperature

    def _exponent(self, printer):
        w = self.args[0]
        ws = printer._print(w)
        if w.is_Add:
            ws = f"({ws})"
        return ws, printer._print(self.temperature)

    def _latex(self, printer, exp=None, **kwargs):
        w, T = self._exponent(printer)
        s = f"e^{{-{w}/{T}}}"
        return rf"\left({s}\right)^{{{exp}}}" if exp else s

    def _sympystr(self, printer):
        w, T = self._exponent(printer)
        return f"e^(-{w}/{T})"


_OCC_CACHE: dict = {}


def bose_occupation(name: str, temperature) -> type[BoseOccupation]:
    """The Planck function ``n_<name>(omega)`` of a bath at ``temperature`` (a SymPy function class).

    Examples:
        >>> import sympy as sp
        >>> T, w = sp.symbols("T_A omega", positive=True)
        >>> n_A = bose_occupation("A", T)
        >>> n_A(w).rewrite(sp.exp)
        1/(exp(omega/T_A) - 1)
    """
    key = ("bose", name, temperature)
    if key not in _OCC_CACHE:
        _OCC_CACHE[key] = type(f"n_{name}", (BoseOccupation,), {"temperature": sp.sympify(temperature)})
    return _OCC_CACHE[key]


def fermi_occupation(name: str, temperature, chemical_potential=0) -> type[FermiOccupation]:
    """The Fermi function ``f_<name>(omega)`` of a lead."""
    key = ("fermi", name, temperature, chemical_potential)
    if key not in _OCC_CACHE:
        _OCC_CACHE[key] = type(f"f_{name}", (FermiOccupation,), {
            "temperature": sp.sympify(temperature), "chemical_potential": sp.sympify(chemical_potential)})
    return _OCC_CACHE[key]


def boltzmann_factor(name: str, temperature) -> type[BoltzmannFactor]:
    """The Boltzmann factor ``x_<name>(omega) = e^{-omega/T}`` of a thermalizer at ``temperature``
    (a SymPy function class; Diosi slide 2).

    Examples:
        >>> import sympy as sp
        >>> T, w = sp.symbols("T_A omega", positive=True)
        >>> x_A = boltzmann_factor("A", T)
        >>> x_A(w)
        e^(-omega/T_A)
        >>> x_A(w).rewrite(sp.exp)
        exp(-omega/T_A)
    """
    key = ("boltzmann", name, temperature)
    if key not in _OCC_CACHE:
        _OCC_CACHE[key] = type(f"x_{name}", (BoltzmannFactor,), {"temperature": sp.sympify(temperature)})
    return _OCC_CACHE[key]


def expand_occupations(expr, *, expm1_form: bool = False):
    """Replace every occupation function ``n_X(omega)``/``f_X(omega)``/``x_X(omega)`` by its
    closed form."""
    expr = sp.sympify(expr)
    reps = {}
    for f in expr.atoms(_Occupation):
        reps[f] = f._eval_rewrite_as_expm1(f.args[0]) if expm1_form else f._eval_rewrite_as_exp(f.args[0])
    return expr.xreplace(reps)


# ---- spectral functions ------------------------------------------------------------------
class SpectralFunction:
    """``g(omega)`` for omega > 0.  Subclasses give a closed form; the default is symbolic."""

    def expression(self, w, bath_name: str) -> sp.Expr:
        raise NotImplementedError

    def parameters(self) -> set[sp.Symbol]:
        return set()


@dataclass(frozen=True)
class UndefinedSpectrum(SpectralFunction):
    """An unspecified spectral function ``g_X(omega) > 0`` (Fogedby eq. 3.6): results keep it
    as an applied function, and numeric checks draw random positive realisations of it."""

    def expression(self, w, bath_name):
        return sp.Function(f"g_{bath_name}", positive=True)(w)


@dataclass(frozen=True)
class FlatSpectrum(SpectralFunction):
    """``g(omega) = kappa`` (wide-band)."""

    kappa: sp.Expr

    def expression(self, w, bath_name):
        return sp.sympify(self.kappa)

    def parameters(self):
        return sp.sympify(self.kappa).free_symbols


@dataclass(frozen=True)
class OhmicSpectrum(SpectralFunction):
    """``g(omega) = kappa * omega * exp(-omega/omega_c)`` (Ohmic with exponential cutoff)."""

    kappa: sp.Expr
    cutoff: sp.Expr

    def expression(self, w, bath_name):
        return self.kappa * w * sp.exp(-w / self.cutoff)

    def parameters(self):
        return sp.sympify(self.kappa).free_symbols | sp.sympify(self.cutoff).free_symbols


@dataclass(frozen=True)
class LorentzianSpectrum(SpectralFunction):
    """``g(omega) = kappa * gamma^2 / ((omega - omega_0)^2 + gamma^2)`` (a structured bath)."""

    kappa: sp.Expr
    center: sp.Expr
    width: sp.Expr

    def expression(self, w, bath_name):
        return self.kappa * self.width**2 / ((w - self.center) ** 2 + self.width**2)

    def parameters(self):
        return set().union(*(sp.sympify(x).free_symbols for x in (self.kappa, self.center, self.width)))


# ---- baths ------------------------------------------------------------------------------
def _check_temperature(name: str, T) -> sp.Expr:
    T = sp.sympify(T)
    if T.is_positive is False or (T.is_number and T.is_real and T <= 0):
        raise ValueError(
            f"Argument `temperature` of bath {name!r} must be positive, but is {T}; "
            f"a bath at T <= 0 has no Gibbs state")
    if T.is_positive is None:
        warnings.warn(
            f"temperature {T} of bath {name!r} is not known to be positive; declare its symbols "
            f"with positive=True (e.g. qs.symbols('T_{name}', positive=True)) so that results "
            f"simplify and occupations are known positive", stacklevel=3)
    return T


@dataclass(frozen=True)
class Bath:
    """Common interface of reservoirs: a name, a temperature, a spectral function, and the
    emission/absorption rates of a transition of energy ``omega > 0``."""

    name: str
    temperature: sp.Expr
    spectral: SpectralFunction = field(default_factory=UndefinedSpectrum)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Argument `name` must be a non-empty string, got {self.name!r}")
        object.__setattr__(self, "temperature", _check_temperature(self.name, self.temperature))
        if not isinstance(self.spectral, SpectralFunction):
            raise TypeError(
                f"Argument `spectral` of bath {self.name!r} must be a qs.SpectralFunction "
                f"(FlatSpectrum, OhmicSpectrum, LorentzianSpectrum or UndefinedSpectrum), "
                f"got {type(self.spectral).__name__}")

    def spectral_function(self, w) -> sp.Expr:
        """``g(omega)``, for omega > 0 only."""
        _check_frequency(f"spectral function g_{self.name}", w)
        return self.spectral.expression(sp.sympify(w), self.name)

    def occupation(self, w) -> sp.Expr:
        raise NotImplementedError

    def emission_rate(self, w) -> sp.Expr:
        raise NotImplementedError

    def absorption_rate(self, w) -> sp.Expr:
        raise NotImplementedError

    def parameters(self) -> set[sp.Symbol]:
        return self.temperature.free_symbols | self.spectral.parameters()


@dataclass(frozen=True)
class BosonicBath(Bath):
    """A bosonic (Caldeira-Leggett) reservoir.

    Rates for a transition of energy ``omega > 0`` (Fogedby eqs. 3.8-3.11, 5.13-5.14):
    emission (system -> bath) ``g(omega)(1 + n(omega))``, absorption ``g(omega) n(omega)``.
    """

    def occupation(self, w) -> sp.Expr:
        return bose_occupation(self.name, self.temperature)(w)

    def emission_rate(self, w):
        return self.spectral_function(w) * (1 + self.occupation(w))

    def absorption_rate(self, w):
        return self.spectral_function(w) * self.occupation(w)


@dataclass(frozen=True)
class FermionicBath(Bath):
    """A fermionic lead with chemical potential ``mu``: a particle of energy ``omega`` leaves
    the system with rate ``g(omega)(1 - f(omega))`` and enters with ``g(omega) f(omega)``."""

    chemical_potential: sp.Expr = sp.S.Zero

    def occupation(self, w):
        return fermi_occupation(self.name, self.temperature, self.chemical_potential)(w)

    def emission_rate(self, w):
        return self.spectral_function(w) * (1 - self.occupation(w))

    def absorption_rate(self, w):
        return self.spectral_function(w) * self.occupation(w)

    def parameters(self):
        return super().parameters() | sp.sympify(self.chemical_potential).free_symbols


def _check_rate(name: str, rate) -> sp.Expr:
    try:
        rate = sp.sympify(rate)
    except (sp.SympifyError, TypeError):
        raise TypeError(f"Argument `rate` of thermalizer {name!r} must be a SymPy expression or a number "
                        f"(e.g. qs.symbols('Gamma_{name}', positive=True)), got {rate!r}") from None
    if not isinstance(rate, sp.Expr):
        raise TypeError(f"Argument `rate` of thermalizer {name!r} must be a SymPy expression or a number "
                        f"(e.g. qs.symbols('Gamma_{name}', positive=True)), got {rate!r}")
    if rate.is_number and (rate.is_real is False or not rate.is_finite):
        raise ValueError(f"Argument `rate` of thermalizer {name!r} must be a positive real rate, got {rate}")
    if rate.is_positive is False or (rate.is_number and rate <= 0):
        raise ValueError(f"Argument `rate` of thermalizer {name!r} must be positive (Gamma > 0), but is {rate}")
    if rate.is_positive is None:
        warnings.warn(f"rate {rate} of thermalizer {name!r} is not known to be positive; declare its symbols "
                      f"with positive=True (e.g. qs.symbols('Gamma_{name}', positive=True))", stacklevel=4)
    return rate


@dataclass(frozen=True)
class ThermalizerBath(Bath):
    """Diosi's thermalizer (2014, slide 2): the reservoir of a two-level system ``H = omega n``,

        L rho = Gamma (a rho a^dag - {n, rho}/2) + Gamma e^{-beta omega} (a^dag rho a - {1 - n, rho}/2).

    For a transition of energy ``omega > 0`` the emission (downward) rate is ``Gamma`` and the
    absorption rate is ``Gamma e^{-omega/T}``: detailed balance at temperature ``T`` with a
    rate that does not depend on ``T``.  With ``rate=Gamma`` the rate is also independent of
    ``omega`` (the slide's thermalizer); alternatively ``spectral=g`` gives emission ``g(omega)``
    and absorption ``g(omega) e^{-omega/T}``.  The occupation-like function is the Boltzmann
    factor ``x_X(omega) = e^{-omega/T}`` (:class:`BoltzmannFactor`), so currents come out as
    ``F [x_A(omega) - x_B(omega)]``.

    Examples:
        >>> import sympy as sp
        >>> T, G, w = sp.symbols("T_A Gamma omega", positive=True)
        >>> A = ThermalizerBath("A", T, rate=G)
        >>> A.emission_rate(w), A.absorption_rate(w)
        (Gamma, Gamma*e^(-omega/T_A))
    """

    rate: sp.Expr | None = None

    def __post_init__(self):
        if self.rate is not None:
            rate = _check_rate(self.name, self.rate)
            if isinstance(self.spectral, FlatSpectrum) and sp.sympify(self.spectral.kappa) == rate:
                pass  # a copy (dataclasses.replace) of a thermalizer built with `rate`
            elif not isinstance(self.spectral, UndefinedSpectrum):
                raise ValueError(
                    f"thermalizer {self.name!r}: give either `rate` (the slide's constant Gamma) or `spectral` "
                    f"(a frequency-dependent g(omega)), not both; got rate={rate} and "
                    f"spectral={type(self.spectral).__name__}")
            object.__setattr__(self, "rate", rate)
            object.__setattr__(self, "spectral", FlatSpectrum(rate))
        super().__post_init__()

    def occupation(self, w) -> sp.Expr:
        """The Boltzmann factor ``x(omega) = e^{-omega/T}``."""
        return boltzmann_factor(self.name, self.temperature)(w)

    def emission_rate(self, w):
        """``Gamma`` (or ``g(omega)``): the downward rate, independent of ``T``."""
        return self.spectral_function(w)

    def absorption_rate(self, w):
        """``Gamma e^{-omega/T}`` (or ``g(omega) e^{-omega/T}``)."""
        return self.spectral_function(w) * self.occupation(w)


def bath_kind(bath, solver: str) -> str:
    """``"bosonic"``, ``"fermionic"`` or ``"thermalizer"``: the bath families the numeric paths
    (``solver`` names which, for the error) know how to turn into rates."""
    for cls, kind in ((BosonicBath, "bosonic"), (FermionicBath, "fermionic"), (ThermalizerBath, "thermalizer")):
        if isinstance(bath, cls):
            return kind
    raise TypeError(f"bath {bath.name!r} of type {type(bath).__name__} is not supported by {solver} "
                    f"(BosonicBath, FermionicBath or ThermalizerBath)")
