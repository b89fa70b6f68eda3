"""Local Lindblad master equation: each bath's dissipator is built from the coupling
operator decomposed with respect to the *local* Hamiltonian (the single-site part of
``H_S``), while the coherent part keeps the full ``H_S`` (Fogedby eqs. 4.33-4.35 for
oscillators; Levy & Kosloff 2014; Diosi 2014, slide 3: ``-i[H_A + H_B + K_AB, rho] + (L_A + L_B) rho``).
The model's extra :class:`qsym.model.Dissipator` terms (e.g. Diosi's incoherent coupling
``L^K_AB``, slides 3-4) are added unchanged.  Written in the eigenbasis of ``H_loc``."""
from __future__ import annotations

from itertools import product

import sympy as sp

from ..algebra.operators import Operator
from ..algebra.spectrum import spectrum as symbolic_spectrum
from ..model import OpenSystem
from .bohr import decompose, sign_on_domain
from .master import JumpChannel, MasterEquation, dissipator_channels

__all__ = ["local_hamiltonian", "local_master_equation"]


def _site_reduced(M: sp.Matrix, dims: list[int], k: int) -> sp.Matrix:
    """``Tr_{not k}(M) / d_{not k}``."""
    dk = dims[k]
    other = [range(d) for j, d in enumerate(dims) if j != k]
    strides = [1] * len(dims)
    for j in range(len(dims) - 2, -1, -1):
        strides[j] = strides[j + 1] * dims[j + 1]
    R = sp.zeros(dk, dk)
    n_other = 1
    for j, d in enumerate(dims):
        if j != k:
            n_other *= d
    for a in range(dk):
        for b in range(dk):
            s = 0
            for rest in product(*other):
                idx = list(rest)
                idx.insert(k, a)
                i = sum(x * st for x, st in zip(idx, strides))
                idx[k] = b
                j = sum(x * st for x, st in zip(idx, strides))
                s += M[i, j]
            R[a, b] = s / n_other
    return R


def local_hamiltonian(H: Operator) -> Operator:
    """Projection of ``H`` onto sums of single-site operators (drops every term that acts
    non-trivially on two or more sites, such as the flip-flop coupling)."""
    M = sp.Matrix(H.matrix)
    dims = [s.dim for s in H.space.sites]
    d = M.shape[0]
    mean = M.trace() / d
    out = mean * sp.eye(d)
    from ..algebra.operators import _SiteHandle
    for k in range(len(dims)):
        R = _site_reduced(M, dims, k)
        R = R - (R.trace() / dims[k]) * sp.eye(dims[k])
        out += _SiteHandle(H.space, k).embed(R).matrix
    return Operator(out.applyfunc(sp.expand), H.space)


def local_master_equation(model: OpenSystem) -> MasterEquation:
    """Local Lindblad equation of ``model``: each bath's jumps are the Bohr components of its
    coupling operator with respect to ``H_loc`` (rates at the bare site frequencies), the
    coherent part uses the full ``H_S``, and the model's extra dissipators are added as given
    (Diosi 2014, slides 3-4)."""
    H_loc = local_hamiltonian(model.H)
    spec = symbolic_spectrum(H_loc)
    E = spec.energies
    channels = []
    conditions = []
    for c in model.couplings:
        A = spec.in_eigenbasis(c.operator)
        for w, trans in decompose(A, E):
            sgn, how = sign_on_domain(w, model)
            if sgn <= 0:
                if c.form == "rwa":
                    continue
            wpos = w if sgn > 0 else -w
            op = tuple(((t.m, t.n), t.amplitude) for t in trans)
            if sgn > 0:
                channels.append(JumpChannel(c.bath.name, op, wpos, c.bath.emission_rate(wpos)))
                if c.form == "rwa":
                    up = tuple(((t.n, t.m), sp.conjugate(t.amplitude)) for t in trans)
                    channels.append(JumpChannel(c.bath.name, up, -wpos, c.bath.absorption_rate(wpos)))
            elif sgn < 0:
                channels.append(JumpChannel(c.bath.name, op, -wpos, c.bath.absorption_rate(wpos)))
    channels += dissipator_channels(model, spec)
    Hm = spec.unitary.H * model.H.matrix * spec.unitary
    return MasterEquation(model, spec, tuple(channels), "local Lindblad", (), tuple(conditions),
                          hamiltonian=sp.ImmutableMatrix(Hm.applyfunc(sp.expand)))
