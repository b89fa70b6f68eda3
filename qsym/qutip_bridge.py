"""QuTiP bridge: a qsym model or master equation as QuTiP objects at numeric parameters.

``to_qutip(obj, params, spectral=...)`` rebuilds the *generator* with QuTiP and NumPy from the
numeric model only -- the operators of :class:`qsym.OpenSystem` lambdified to numbers and the
bath conventions of :mod:`qsym.baths`; nothing of qsym's symbolic steady state or of its numeric
solver is used.  Conventions (README "Conventions"; hbar = k_B = 1):

* Davies (global) jumps, Breuer & Petruccione (B&P) eqs. 3.118, 3.140: with ``H = sum E_n |n><n|``
  (``numpy.linalg.eigh`` of the numeric ``H``), the Bohr component ``A(w) = sum_{E_j - E_i = w}
  |i><i|A|j><j|`` releases the energy ``w`` into the bath.  ``Coupling(L, bath)`` (RWA,
  ``H_SB = L^dag X + L X^dag``): collapse operators ``sqrt(g(w)(1 + n(w))) L(w)`` and
  ``sqrt(g(w) n(w)) L(w)^dag`` for ``w > 0``; ``form="hermitian"`` (``S (X + X^dag)``): every
  ``S(w)`` with ``g(w)(1+n(w))`` (``w > 0``), ``g(|w|) n(|w|)`` (``w < 0``), ``lim_{w->0+} g n``
  (``w = 0``).  Fermionic leads: ``1 + n -> 1 - f``, ``n -> f``; thermalizers (Diosi 2014,
  slide 2): ``1 + n -> 1``, ``n -> e^{-w/T}``.
* Local jumps (Hofer et al. NJP 19, 123037 eq. 8; Levy & Kosloff EPL 107, 20004): the same with
  ``H_loc``, the Hilbert-Schmidt projection of ``H`` onto sums of single-site operators
  (``sum_k Tr_{not k}[H]/(D/d_k) - (N-1) Tr[H]/D``, with QuTiP's ``ptrace``); the coherent part
  keeps the full ``H``.  Oscillators: ``H_loc = sum_i h_ii a_i^dag a_i``.
* Extra :class:`qsym.model.Dissipator` terms: ``sqrt(gamma_k) J_k`` as given (noise, no bath).
* Bloch-Redfield (B&P eq. 3.135 summed over ``w'``; Fogedby eq. 5.2, no Lamb shift): per bath
  ``D(rho) = sum_k Gamma_k (J_k rho P^dag - P^dag J_k rho) + h.c.``, ``Gamma_k = gamma(w_k)/2``,
  ``J_k = A(w_k)``, ``P = sum_w' A(w')`` of its family (RWA: emission ``L(w)``, absorption
  ``L(w)^dag``; hermitian: all ``S(w)``), built with ``qutip.sprepost/spre/spost``.
* Oscillators (:class:`qsym.dynamics.moments.MomentMasterEquation`): ``H = sum h_ij a_i^dag a_j``
  and linear couplings read off the model, on QuTiP's excitation-number-restricted space
  (``qutip.enr_destroy``) holding up to ``excitations`` quanta in total.
* Collision maps (:class:`qsym.dynamics.collision.CollisionMap`, Cusumano & De Chiara eqs.
  15-24): the generator ``G = (Phi - 1)/dt`` of the map expanded to second order,
  ``G rho = Tr_E[L(rho (x) eta)] + dt/2 Tr_E[L^2(rho (x) eta)]``, ``L = -i[H_S + H_E + H_SE, .]``,
  ``eta = e^{-beta H_E}/Z``: its null vector is the fixed point of the expanded map.
* Heat currents, positive from the bath into the system: ``q_X = Tr[H D_X(rho)]`` (minus
  ``mu_X`` times the particle current for a fermionic lead); the energy an extra dissipator
  injects, ``Tr[H D_K(rho)]``, is work done by the noise (:meth:`QutipSystem.noise_powers`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
import math
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np
import sympy as sp

__all__ = ["to_qutip", "QutipSystem"]


# ==========================================================================================
# Input checking
# ==========================================================================================
def _qutip():
    """The ``qutip`` module, or an ImportError that says how to install it."""
    try:
        import qutip
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("qsym.qutip_bridge needs QuTiP (>= 5): install it with `pip install qsym[qutip]` "
                          "(or `pip install qutip`)") from exc
    return qutip


def _as_real(value, what: str) -> float:
    """``value`` as a finite real float; TypeError/ValueError naming ``what`` otherwise."""
    if isinstance(value, bool) or isinstance(value, (str, bytes)):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}")
    try:
        z = complex(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}") from None
    if z.imag != 0:
        raise ValueError(f"{what} must be real, got the complex value {z}")
    if not math.isfinite(z.real):
        raise ValueError(f"{what} must be finite, got {z.real}")
    return z.real


def _resolve_params(symbols, params) -> dict:
    """``{Symbol: float}`` for every symbol in ``symbols`` from ``params`` (keys: Symbols or
    their names).  Defined symbols (``qs.DefinedSymbol``) not given are evaluated from their
    definition -- the numeric solver's resolution (:func:`qsym.numeric.solver._resolve_values`:
    model plumbing, not the numeric path), each value then required real and finite.  Raises
    KeyError listing every missing symbol."""
    from .numeric.solver import _resolve_values
    if not isinstance(params, Mapping):
        raise TypeError(f"Argument `params` of to_qutip must be a mapping {{symbol or name: number}}, "
                        f"got {type(params).__name__}")
    try:
        resolved = _resolve_values(list(symbols), params)
    except KeyError as e:
        raise KeyError(f"Argument `params` of to_qutip: {e.args[0]}") from None
    return {sym: _as_real(v, f"params[{sym.name!r}]") for sym, v in resolved.items()}


def _values(symbols, params) -> dict:
    """:func:`_resolve_params` plus every other entry of ``params`` (the parameters of the
    ``spectral`` Lambdas, e.g. ``kappa_A__g`` of :func:`qsym.numeric.functions.spectral_realisation`)."""
    values = _resolve_params(symbols, params)
    names = {s.name for s in values}
    for k, v in params.items():
        name = k if isinstance(k, str) else getattr(k, "name", None)
        if name is not None and name not in names:
            values[k if isinstance(k, sp.Symbol) else sp.Symbol(k)] = _as_real(v, f"params[{name!r}]")
    return values


def _numeric(M, values: dict, what: str) -> np.ndarray:
    """A SymPy matrix/expression (defined symbols expanded) at ``values`` as a complex array."""
    from .algebra.symbols import expand_definitions
    from .baths import expand_occupations
    e = expand_occupations(expand_definitions(sp.sympify(M)))
    free = sorted(e.free_symbols, key=str)
    missing = [s for s in free if s not in values]
    if missing:
        raise KeyError(f"Argument `params` of to_qutip has no value for {sorted(s.name for s in missing)} "
                       f"(needed by {what})")
    f = sp.lambdify(free, e, modules="numpy")
    out = np.array(f(*[values[s] for s in free]), dtype=complex)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} is not finite at the given `params`")
    return out


# ==========================================================================================
# Rates of one bath (qsym.baths conventions)
# ==========================================================================================
@dataclass(frozen=True)
class _Rates:
    """Emission/absorption rates of one bath for a transition of energy ``w > 0``."""

    name: str
    kind: str          # "bosonic" | "fermionic" | "thermalizer"
    T: float
    mu: float
    g: Callable

    def _g(self, w: float) -> float:
        v = _as_real(np.asarray(self.g(w)).reshape(()), f"spectral function g_{self.name}({w:.6g})")
        if v < 0:
            raise ValueError(f"Argument `spectral`: g_{self.name}({w:.6g}) = {v} is negative; a spectral function "
                             f"must be >= 0")
        return v

    def emission(self, w: float) -> float:
        """``g(1+n)`` (bosonic, ``1 + n = -1/expm1(-w/T)``), ``g(1-f)``, or ``g`` (thermalizer)."""
        if self.kind == "bosonic":
            return self._g(w) * (-1.0 / math.expm1(-w / self.T))
        if self.kind == "fermionic":
            return self._g(w) / (1.0 + math.exp(-(w - self.mu) / self.T))
        return self._g(w)

    def absorption(self, w: float) -> float:
        """``g n`` (bosonic, ``n = 1/expm1(w/T)``), ``g f``, or ``g e^{-w/T}`` (thermalizer)."""
        if self.kind == "bosonic":
            x = w / self.T
            return self._g(w) * (math.exp(-x) / -math.expm1(-x) if x > 700 else 1.0 / math.expm1(x))
        if self.kind == "fermionic":
            return self._g(w) / (1.0 + math.exp((w - self.mu) / self.T))
        return self._g(w) * math.exp(-w / self.T)

    def zero_frequency(self, scale: float) -> float:
        """``lim_{w->0+} g(w) n(w)`` by Richardson extrapolation (three halvings of ``h``)."""
        h = 1e-4 * min(scale, self.T)
        v = np.array([self.absorption(h / 2**k) for k in range(4)])
        for m in range(1, 4):
            v = v[1:] + (v[1:] - v[:-1]) / (2.0**m - 1)
        return max(float(v[-1]), 0.0)


def _spectral_callable(bath, spectral: Mapping, values: dict):
    """``g_X`` as a callable: from ``spectral`` (a callable, or a SymPy ``Lambda`` whose
    parameters are taken from ``params``; keys ``"X"``, ``"g_X"`` or the function class) or
    from the bath's own concrete spectrum."""
    from .baths import UndefinedSpectrum
    given = None
    for k, v in spectral.items():
        key = str(getattr(k, "__name__", k))
        if key in (bath.name, f"g_{bath.name}"):
            given = v
    if given is None:
        if isinstance(bath.spectral, UndefinedSpectrum):
            raise ValueError(f"Argument `spectral` of to_qutip must give g_{bath.name}(omega) for bath "
                             f"{bath.name!r} (its spectral function is unspecified), e.g. "
                             f"spectral={{{bath.name!r}: lambda w: 0.01 * w}}; got keys {sorted(map(str, spectral))}")
        w = sp.Dummy("w", positive=True)
        given = sp.Lambda(w, bath.spectral.expression(w, bath.name))
    if isinstance(given, sp.Lambda):
        e = given.expr
        free = e.free_symbols - set(given.variables)
        by_name = {s.name: v for s, v in values.items()}
        missing = sorted(s.name for s in free if s not in values and s.name not in by_name)
        if missing:
            raise KeyError(f"Argument `params` of to_qutip has no value for {missing}, parameters of the "
                           f"spectral function g_{bath.name}")
        e = e.xreplace({s: values.get(s, by_name.get(s.name)) for s in free})
        return sp.lambdify(given.variables, e, "numpy")
    if not callable(given):
        raise TypeError(f"Argument `spectral[{bath.name!r}]` of to_qutip must be a callable g(omega) or a SymPy "
                        f"Lambda, got {type(given).__name__}")
    return given


def _rates(bath, spectral: Mapping, values: dict) -> _Rates:
    from .baths import bath_kind
    kind = bath_kind(bath, "to_qutip")
    T = _as_real(_numeric(bath.temperature, values, f"the temperature of bath {bath.name!r}"), f"T_{bath.name}")
    if T <= 0:
        raise ValueError(f"the temperature of bath {bath.name!r} must be positive, got {T}")
    mu = 0.0
    if kind == "fermionic":
        mu = _as_real(_numeric(bath.chemical_potential, values, f"mu of bath {bath.name!r}"), f"mu_{bath.name}")
    return _Rates(bath.name, kind, T, mu, _spectral_callable(bath, spectral, values))


# ==========================================================================================
# Numeric Bohr decomposition (B&P eq. 3.118)
# ==========================================================================================
def _bohr_components(A_eig: np.ndarray, E: np.ndarray, tol: float) -> list[tuple[float, np.ndarray]]:
    """``[(w, A(w))]`` of ``A`` given in the eigenbasis of the energies ``E``: the element
    ``A[i, j]`` releases ``w = E_j - E_i``; frequencies within ``tol`` (single linkage) are one
    component, ``w`` snapped to 0 within ``tol``."""
    amp_tol = 1e-12 * max(float(np.abs(A_eig).max(initial=0.0)), 1e-300)
    idx = np.argwhere(np.abs(A_eig) > amp_tol)
    if len(idx) == 0:
        return []
    W = E[idx[:, 1]] - E[idx[:, 0]]
    order = np.argsort(W, kind="stable")
    groups = np.split(order, np.nonzero(np.diff(W[order]) > tol)[0] + 1)
    out = []
    for g in groups:
        J = np.zeros_like(A_eig)
        r, c = idx[g, 0], idx[g, 1]
        J[r, c] = A_eig[r, c]
        w = float(np.mean(W[g]))
        out.append((0.0 if abs(w) <= tol else w, J))
    return out


@dataclass(frozen=True)
class _Jump:
    """``sqrt(rate) * J`` of one source; ``frequency`` > 0 emission, < 0 absorption, nan noise."""

    source: str
    frequency: float
    rate: float
    operator: np.ndarray   # original (site) basis


def _bath_jumps(name: str, form: str, A: np.ndarray, V: np.ndarray, E: np.ndarray, rates: _Rates,
                tol: float) -> list[_Jump]:
    """Davies jump operators of one coupling with respect to the basis ``V`` of energies ``E``."""
    comps = _bohr_components(V.conj().T @ A @ V, E, tol)
    back = lambda J: V @ J @ V.conj().T  # noqa: E731
    out = []
    if form == "rwa":
        for w, J in comps:
            if w > 0:
                out.append(_Jump(name, w, rates.emission(w), back(J)))
                out.append(_Jump(name, -w, rates.absorption(w), back(J.conj().T)))
        return out
    pos = [w for w, _ in comps if w > 0]
    scale = min(pos) if pos else 1.0
    for w, J in comps:
        r = rates.emission(w) if w > 0 else rates.absorption(-w) if w < 0 else rates.zero_frequency(scale)
        out.append(_Jump(name, w, r, back(J)))
    return out


# ==========================================================================================
# The result
# ==========================================================================================
@dataclass(frozen=True, eq=False)
class QutipSystem:
    """A qsym model/master equation as QuTiP objects at one parameter point.

    Attributes:
        H: the system Hamiltonian (``qutip.Qobj``, original product basis).
        c_ops: collapse operators ``sqrt(rate) * J`` (original basis), for ``qutip.mesolve`` /
            ``qutip.steadystate(H, c_ops)``; empty for a Bloch-Redfield or collision generator.
        c_op_sources: the bath (or extra dissipator) each collapse operator came from.
        c_op_frequencies: energy each releases into its bath (``< 0``: absorption; nan: noise).
        liouvillian: the full generator as a super-operator when collapse operators do not
            capture it (Bloch-Redfield tensor, collision-map generator), else None.
        dissipators: name -> super-operator ``D_X`` (column stacking, as QuTiP's) where no
            collapse operators give it (Bloch-Redfield); else see :meth:`dissipator`.
        baths: names of the heat baths; noise: names of the extra (non-bath) dissipators.
        temperatures, chemical_potentials: per bath.
        kind: which generator was built.
    """

    H: object
    c_ops: tuple
    c_op_sources: tuple
    c_op_frequencies: tuple
    liouvillian: object
    dissipators: Mapping
    baths: tuple
    noise: tuple
    temperatures: Mapping
    chemical_potentials: Mapping
    kind: str
    modes: tuple = ()   # oscillators: the annihilation operators a_i on the truncated space

    def generator(self):
        """The Liouvillian ``-i[H, .] + sum_X D_X`` as a super-operator Qobj."""
        if self.liouvillian is not None:
            return self.liouvillian
        return _qutip().liouvillian(self.H, list(self.c_ops))

    def steady_state(self, **kwargs):
        """``qutip.steadystate`` of :meth:`generator` (``kwargs`` passed on).  Oscillators: the
        generator conserves ``N_ket - N_bra`` (number-conserving ``H``, jumps changing ``N`` by
        one), so the steady state lies in the sector ``N_ket = N_bra``; QuTiP's Liouvillian is
        restricted to it and solved with the trace condition (sparse LU), which avoids the fill-in
        of a direct solve on the whole truncated space."""
        qt = _qutip()
        if self.modes:
            return _number_sector_steady_state(qt, self)
        if self.liouvillian is not None:
            return qt.steadystate(self.liouvillian, **kwargs)
        return qt.steadystate(self.H, list(self.c_ops), **kwargs)

    def dissipator(self, name: str):
        """The super-operator ``D_X`` of a bath or extra dissipator (column stacking, QuTiP's)."""
        qt = _qutip()
        if name in self.dissipators:
            return self.dissipators[name]
        if name not in self.baths + self.noise:
            raise KeyError(f"no bath or dissipator named {name!r}; this system has {self.baths + self.noise}")
        return sum((qt.lindblad_dissipator(C) for C, s in zip(self.c_ops, self.c_op_sources) if s == name),
                   0 * qt.spre(self.H))

    def _apply(self, name: str, rho):
        """``D_X(rho)``: from the collapse operators (``C rho C^dag - {C^dag C, rho}/2``) or the
        stored super-operator."""
        qt = _qutip()
        if name in self.dissipators:
            return qt.vector_to_operator(self.dissipators[name] * qt.operator_to_vector(rho))
        out = 0 * rho
        for C, s in zip(self.c_ops, self.c_op_sources):
            if s == name:
                CdC = C.dag() * C
                out = out + C * rho * C.dag() - 0.5 * (CdC * rho + rho * CdC)
        return out

    def _check_state(self, rho):
        qt = _qutip()
        if not isinstance(rho, qt.Qobj) or rho.dims != self.H.dims:
            raise TypeError(f"Argument `rho` must be a density-matrix Qobj with dims {self.H.dims}, got "
                            f"{type(rho).__name__}{' with dims ' + str(rho.dims) if isinstance(rho, qt.Qobj) else ''}")
        return rho

    def energy_currents(self, rho) -> dict:
        """``Tr[H D_X(rho)]`` per bath."""
        rho = self._check_state(rho)
        return {X: float(np.real((self.H * self._apply(X, rho)).tr())) for X in self.baths}

    def particle_currents(self, rho) -> dict:
        """Particles entering the system per unit time from each fermionic lead (RWA jumps:
        absorption brings one in, emission takes one out); nan for other baths."""
        rho = self._check_state(rho)
        out = {}
        for X in self.baths:
            if X not in self.chemical_potentials:
                out[X] = float("nan")
                continue
            jn = 0.0
            for C, src, w in zip(self.c_ops, self.c_op_sources, self.c_op_frequencies):
                if src == X:
                    jn += (1.0 if w < 0 else -1.0) * float(np.real((C * rho * C.dag()).tr()))
            out[X] = jn
        return out

    def heat_currents(self, rho) -> dict:
        """``q_X = Tr[H D_X(rho)] - mu_X J_X``: heat from bath ``X`` into the system (README
        "Conventions"; Fogedby eqs. 2.11-2.12)."""
        E = self.energy_currents(rho)
        if not self.chemical_potentials:
            return E
        J = self.particle_currents(rho)
        return {X: E[X] - self.chemical_potentials.get(X, 0.0) * (J[X] if X in self.chemical_potentials else 0.0)
                for X in self.baths}

    def noise_powers(self, rho) -> dict:
        """``Tr[H D_K(rho)]`` of each extra dissipator: work done by the noise."""
        rho = self._check_state(rho)
        return {K: float(np.real((self.H * self._apply(K, rho)).tr())) for K in self.noise}

    def entropy_production(self, rho) -> float:
        """``sigma = -sum_X q_X / T_X`` (Spohn)."""
        q = self.heat_currents(rho)
        return -sum(q[X] / self.temperatures[X] for X in self.baths)


def _number_sector_steady_state(qt, sysq):
    """Null vector of the Liouvillian on the elements ``|a><b|`` with ``N(a) = N(b)`` (column
    stacking, QuTiP's convention), normalised to unit trace."""
    import scipy.sparse as sps
    import scipy.sparse.linalg as spla
    N = np.rint(sum(np.real((a.dag() * a).diag()) for a in sysq.modes)).astype(int)
    D = len(N)
    keep = np.array([b * D + a for b in range(D) for a in range(D) if N[a] == N[b]])
    L = qt.liouvillian(sysq.H, list(sysq.c_ops)).data_as("csr_matrix")
    M = sps.lil_matrix(L[keep][:, keep])
    diag = np.isin(keep, np.arange(D) * (D + 1))
    M[0, :] = diag.astype(complex)[None, :]       # keep[0] is the element (0, 0): a population
    rhs = np.zeros(len(keep), complex)
    rhs[0] = 1.0
    x = spla.spsolve(sps.csc_matrix(M), rhs)
    vec = np.zeros(D * D, complex)
    vec[keep] = x
    R = vec.reshape((D, D), order="F")
    return qt.Qobj(0.5 * (R + R.conj().T), dims=sysq.H._dims)


def _lindblad_system(qt, H: np.ndarray, dims, jumps: list[_Jump], baths, noise, temps, mus, kind) -> QutipSystem:
    """Pack numeric jumps into sparse Qobj collapse operators (entries below ``1e-14`` of the
    largest, round-off of the basis changes, dropped).  ``dims``: the site dimensions, or the
    dimensions of a Qobj (QuTiP's excitation-restricted spaces)."""
    qdims = [dims, dims] if isinstance(dims, list) else dims
    Hq = qt.Qobj(H, dims=qdims).to("csr")
    c_ops, src, freq = [], [], []
    for jp in jumps:
        if jp.rate == 0.0:
            continue
        J = np.where(np.abs(jp.operator) > 1e-14 * np.abs(jp.operator).max(initial=0.0), jp.operator, 0)
        c_ops.append(qt.Qobj(math.sqrt(jp.rate) * J, dims=Hq._dims).to("csr"))
        src.append(jp.source)
        freq.append(jp.frequency)
    return QutipSystem(Hq, tuple(c_ops), tuple(src), tuple(freq), None, MappingProxyType({}), tuple(baths),
                       tuple(noise), MappingProxyType(temps), MappingProxyType(mus), kind)


# ==========================================================================================
# Models and master equations
# ==========================================================================================
def _model_matrices(model, values):
    H = _numeric(model.H.matrix, values, "H")
    if not np.allclose(H, H.conj().T, rtol=0, atol=1e-12 * max(1.0, np.abs(H).max())):
        raise ValueError("H is not Hermitian at the given `params` (check that real parameters got real values)")
    H = 0.5 * (H + H.conj().T)
    A = {c.bath.name: _numeric(c.operator.matrix, values, f"the coupling operator of bath {c.bath.name!r}")
         for c in model.couplings}
    return H, A


def _local_hamiltonian(qt, H: np.ndarray, dims) -> np.ndarray:
    """Hilbert-Schmidt projection of ``H`` onto single-site operators (module docstring)."""
    N, D = len(dims), int(np.prod(dims))
    if N == 1:
        return H
    Hq = qt.Qobj(H, dims=[list(dims), list(dims)])
    out = -(N - 1) * np.trace(H) / D * np.eye(D, dtype=complex)
    for k in range(N):
        hk = Hq.ptrace(k).full() / (D / dims[k])
        ops = [qt.qeye(d) for d in dims]
        ops[k] = qt.Qobj(hk)
        out = out + qt.tensor(*ops).full()
    return 0.5 * (out + out.conj().T)


def _noise_jumps(model, values) -> list[_Jump]:
    out = []
    for D in model.dissipators:
        for k, (rate, op) in enumerate(D.jumps):
            r = _as_real(_numeric(rate, values, f"rate {k} of dissipator {D.name!r}"), f"rate {k} of {D.name!r}")
            out.append(_Jump(D.name, float("nan"), r, _numeric(op.matrix, values, f"jump {k} of {D.name!r}")))
    return out


def _open_system(qt, model, values, spectral, master: str) -> QutipSystem:
    """Davies (``master="global"``), local Lindblad or Bloch-Redfield generator of ``model``."""
    dims = [s.dim for s in model.H.space.sites]
    H, A = _model_matrices(model, values)
    E, V = np.linalg.eigh(H)
    if master == "local":
        Eb, Vb = np.linalg.eigh(_local_hamiltonian(qt, H, dims))
    else:
        Eb, Vb = E, V
    tol = 1e-9 * max(1.0, float(Eb[-1] - Eb[0]), float(E[-1] - E[0]))
    rates = {c.bath.name: _rates(c.bath, spectral, values) for c in model.couplings}
    temps = {X: r.T for X, r in rates.items()}
    mus = {X: r.mu for X, r in rates.items() if r.kind == "fermionic"}
    if master == "redfield":
        if model.dissipators:
            raise NotImplementedError("to_qutip: a Bloch-Redfield generator with extra (non-bath) dissipators "
                                      "is not implemented")
        return _redfield_system(qt, model, H, A, E, V, rates, tol, dims, temps, mus)
    jumps = []
    for c in model.couplings:
        jumps += _bath_jumps(c.bath.name, c.form, A[c.bath.name], Vb, Eb, rates[c.bath.name], tol)
    jumps += _noise_jumps(model, values)
    kind = "global secular (Davies)" if master == "global" else "local Lindblad"
    return _lindblad_system(qt, H, dims, jumps, [c.bath.name for c in model.couplings],
                            [D.name for D in model.dissipators], temps, mus, kind)


def _redfield_system(qt, model, H, A, E, V, rates, tol, dims, temps, mus) -> QutipSystem:
    """Bloch-Redfield tensor (module docstring) per bath, and the full Liouvillian."""
    Hq = qt.Qobj(H, dims=[dims, dims])
    Q = lambda M: qt.Qobj(V @ M @ V.conj().T, dims=[dims, dims])  # noqa: E731
    diss = {}
    for c in model.couplings:
        X, rt = c.bath.name, rates[c.bath.name]
        comps = _bohr_components(V.conj().T @ A[X] @ V, E, tol)
        if c.form == "rwa":
            em = [(w, J, rt.emission(w)) for w, J in comps if w > 0]
            ab = [(-w, J.conj().T, rt.absorption(w)) for w, J in comps if w > 0]
            families = [em, ab]
        else:
            pos = [w for w, _ in comps if w > 0]
            scale = min(pos) if pos else 1.0
            families = [[(w, J, rt.emission(w) if w > 0 else rt.absorption(-w) if w < 0 else rt.zero_frequency(scale))
                         for w, J in comps]]
        D = 0 * qt.spre(Hq)
        for fam in families:
            if not fam:
                continue
            P = Q(sum(J for _, J, _ in fam))
            for _, J, gamma in fam:
                Jq, G = Q(J), gamma / 2
                D = D + G * (qt.sprepost(Jq, P.dag()) - qt.spre(P.dag() * Jq)) \
                    + G * (qt.sprepost(P, Jq.dag()) - qt.spost(Jq.dag() * P))
        diss[X] = D
    L = qt.liouvillian(Hq) + sum(diss.values(), 0 * qt.spre(Hq))
    return QutipSystem(Hq, (), (), (), L, MappingProxyType(diss), tuple(diss), (), MappingProxyType(temps),
                       MappingProxyType(mus), "Bloch-Redfield (non-secular)")


# ---- oscillators ----------------------------------------------------------------------------------
def _occupation_bound(rates: dict, freqs) -> float:
    """Largest absorption/emission ratio ``n/(1+n)`` over the baths at the given frequencies."""
    x = 0.0
    for r in rates.values():
        for w in freqs:
            if w > 0:
                x = max(x, r.absorption(w) / max(r.emission(w), 1e-300))
    return x


def _auto_excitations(x: float, n_modes: int, tail: float = 1e-13, cap: int = 60) -> int:
    """Smallest total excitation number ``K`` with ``C(K+n-1, n-1) x^K <= tail`` (the weight
    beyond ``K`` of ``n`` modes with Boltzmann ratios <= ``x``)."""
    if x <= 0:
        return 2
    for K in range(2, cap + 1):
        if math.comb(K + n_modes - 1, n_modes - 1) * x**K <= tail:
            return K
    raise ValueError(f"to_qutip: the occupations (n/(1+n) up to {x:.3g}) need more than {cap} quanta in the "
                     f"truncated oscillator space; pass `excitations` explicitly")


def _eigh_by_number(H: np.ndarray, N: np.ndarray):
    """``eigh`` of a number-conserving ``H`` sector by sector of the total number ``N``, so that
    every eigenvector has a definite ``N`` even where energies of different sectors coincide."""
    E, V = np.zeros(len(N)), np.zeros((len(N), len(N)), complex)
    for k in np.unique(N):
        idx = np.flatnonzero(N == k)
        e, v = np.linalg.eigh(H[np.ix_(idx, idx)])
        E[idx] = e
        V[np.ix_(idx, idx)] = v
    return E, V


def _oscillators(qt, me, values, spectral, excitations) -> QutipSystem:
    """A :class:`MomentMasterEquation` (number-conserving quadratic ``H``, linear couplings) on
    QuTiP's excitation-number-restricted space."""
    from .dynamics.moments import linear_form, quadratic_form
    model = me.model
    h, _ = quadratic_form(model.H)
    h = _numeric(h, values, "the single-particle matrix h")
    n = h.shape[0]
    rates = {c.bath.name: _rates(c.bath, spectral, values) for c in model.couplings}
    eps = np.linalg.eigvalsh(0.5 * (h + h.conj().T))
    if excitations is None:
        excitations = _auto_excitations(_occupation_bound(rates, list(eps) + list(np.real(np.diag(h)))), n)
    if not (isinstance(excitations, (int, np.integer)) and excitations >= 1):
        raise TypeError(f"Argument `excitations` of to_qutip must be a positive integer, got {excitations!r}")
    a = qt.enr_destroy([excitations + 1] * n, excitations)
    Hq = sum((complex(h[i, j]) * a[i].dag() * a[j] for i in range(n) for j in range(n) if h[i, j] != 0), 0 * a[0])
    H = Hq.full()
    H = 0.5 * (H + H.conj().T)
    local = "local" in me.kind
    Hb = sum((float(np.real(h[i, i])) * (a[i].dag() * a[i]).full() for i in range(n)), 0 * H) if local else H
    Eb, Vb = _eigh_by_number(Hb, np.rint(sum(np.real((x.dag() * x).diag()) for x in a)).astype(int))
    tol = 1e-9 * max(1.0, float(Eb[-1] - Eb[0]))
    jumps = []
    for c in model.couplings:
        u, v = linear_form(c.operator)
        u = _numeric(sp.Matrix(u), values, "coupling").ravel()
        v = _numeric(sp.Matrix(v), values, "coupling").ravel()
        L = sum((u[i] * a[i] + v[i] * a[i].dag() for i in range(n)), 0 * a[0]).full()
        jumps += _bath_jumps(c.bath.name, c.form, L, Vb, Eb, rates[c.bath.name], tol)
    sysm = _lindblad_system(qt, H, Hq._dims, jumps, [c.bath.name for c in model.couplings], [],
                            {X: r.T for X, r in rates.items()}, {}, ("local" if local else "global")
                            + f" Lindblad, {n} oscillators, <= {excitations} quanta")
    return replace(sysm, modes=tuple(a))


# ---- collision maps -------------------------------------------------------------------------------
def _collision(qt, cmap, values) -> QutipSystem:
    """Generator of the second-order collision map (module docstring)."""
    m = cmap.model if hasattr(cmap, "model") else cmap
    hS, hE = _numeric(m.h_S, values, "h_S"), _numeric(m.h_E, values, "h_E")
    dS, dE = hS.shape[0], hE.shape[0]
    hSE = sum((np.kron(_numeric(A, values, "A_j"), _numeric(B, values, "B_j")) for A, B, _ in m.pairs),
              np.zeros((dS * dE, dS * dE), complex))
    dt = _as_real(_numeric(m.dt, values, "dt"), "dt")
    if m.beta is not None:
        beta = _as_real(_numeric(m.beta, values, "beta"), "beta")
        w, U = np.linalg.eigh(0.5 * (hE + hE.conj().T))
        p = np.exp(-beta * (w - w.min()))
        eta = (U * (p / p.sum())) @ U.conj().T
    else:
        eta = _numeric(m.eta, values, "eta")
    Htot = np.kron(hS, np.eye(dE)) + np.kron(np.eye(dS), hE) + hSE
    Lj = qt.liouvillian(qt.Qobj(Htot, dims=[[dS, dE], [dS, dE]]))
    etaq = qt.Qobj(eta)
    G = np.zeros((dS * dS, dS * dS), complex)
    for b in range(dS):
        for a_ in range(dS):
            X = qt.operator_to_vector(qt.tensor(qt.basis(dS, a_) * qt.basis(dS, b).dag(), etaq))
            Y = Lj * X
            Y = Y + dt / 2 * (Lj * Y)
            G[:, b * dS + a_] = qt.vector_to_operator(Y).ptrace(0).full().reshape(-1, order="F")
    Gq = qt.Qobj(G, dims=[[[dS], [dS]], [[dS], [dS]]], superrep="super")
    Hq = qt.Qobj(hS)
    return QutipSystem(Hq, (), (), (), Gq, MappingProxyType({}), (), (), MappingProxyType({}),
                       MappingProxyType({}), "collision map, O(dt^2) generator (Phi - 1)/dt")


# ==========================================================================================
# Entry point
# ==========================================================================================
_MASTERS = ("global", "local", "redfield")


def _master_of(obj) -> str:
    kind = getattr(obj, "kind", "")
    if "Redfield" in kind:
        return "redfield"
    return "local" if "local" in kind else "global"


def to_qutip(obj, params: Mapping, *, spectral: Mapping | None = None, master: str | None = None,
             excitations: int | None = None) -> QutipSystem:
    """``obj`` as QuTiP objects at the numeric ``params`` (see the module docstring).

    Args:
        obj: a :class:`qsym.OpenSystem`, a master equation (``qs.global_master_equation``,
            ``qs.local_master_equation``, ``qs.bloch_redfield_master_equation``), a moment master
            equation of oscillators, or a collision model / expanded collision map.
        params: ``{Symbol or name: number}`` for every parameter of the model (and of the
            ``spectral`` Lambdas).
        spectral: ``{bath name: g(omega)}`` (a callable or a SymPy ``Lambda``) for baths whose
            spectral function is unspecified; optional (overriding) for the others.
        master: for an ``OpenSystem``: ``"global"`` (default), ``"local"`` or ``"redfield"``;
            for a master equation it must agree with the equation's kind (or be omitted).
        excitations: oscillators only: the total number of quanta kept (default: chosen so
            that the neglected thermal weight is below 1e-13).

    Returns:
        A :class:`QutipSystem` (``H``, ``c_ops`` with their baths, ``liouvillian`` for
        Bloch-Redfield / collision generators, ``heat_currents(rho)``).

    Raises:
        ImportError: QuTiP is not installed (``pip install qsym[qutip]``).
        TypeError: unsupported ``obj``, non-numeric parameter values, bad ``spectral`` entries.
        KeyError: parameters missing from ``params`` (all listed).
    """
    qt = _qutip()
    from .dynamics.collision import CollisionMap, CollisionModel
    from .dynamics.master import MasterEquation
    from .dynamics.moments import MomentMasterEquation
    from .model import OpenSystem
    spectral = {} if spectral is None else spectral
    if not isinstance(spectral, Mapping):
        raise TypeError(f"Argument `spectral` of to_qutip must be a mapping {{bath name: g(omega)}}, "
                        f"got {type(spectral).__name__}")
    if master is not None and master not in _MASTERS:
        raise ValueError(f"Argument `master` of to_qutip must be one of {_MASTERS}, got {master!r}")
    if isinstance(obj, (CollisionMap, CollisionModel)):
        m = obj.model if isinstance(obj, CollisionMap) else obj
        return _collision(qt, obj, _resolve_params(m.parameters, params))
    if isinstance(obj, MomentMasterEquation):
        return _oscillators(qt, obj, _values(obj.model.parameters, params), spectral, excitations)
    if isinstance(obj, MasterEquation):
        kind = _master_of(obj)
        if master is not None and master != kind:
            raise ValueError(f"Argument `master` of to_qutip is {master!r}, but the master equation is "
                             f"{obj.kind!r}; omit `master` or pass the model instead")
        if any(getattr(t, "shift", 0) != 0 for t in getattr(obj, "terms", ())):
            raise NotImplementedError("to_qutip: Bloch-Redfield equations with Lamb-shift functions S_X(w) are "
                                      "not supported (build the equation with lamb_shift=False)")
        model, master = obj.model, kind
    elif isinstance(obj, OpenSystem):
        model, master = obj, master or "global"
    else:
        raise TypeError(f"Argument `obj` of to_qutip must be a qsym OpenSystem, a master equation (global, local, "
                        f"Bloch-Redfield, moments) or a collision map, got {type(obj).__name__}")
    return _open_system(qt, model, _values(model.parameters, params), spectral, master)
