"""Systems beyond the seeds: the engine must derive and verify them without changes."""
from __future__ import annotations


import sympy as sp

import qsym as qs

TOL = 1e-9


def test_uniform_xx_chain_of_three_qubits_factorises_and_verifies():
    w, lam, TA, TB = qs.symbols("omega lambda T_A T_B", positive=True)
    q = qs.qubits(3)
    H = sum(w / 2 * x.sz for x in q) + lam * (q[0].sp * q[1].sm + q[0].sm * q[1].sp
                                             + q[1].sp * q[2].sm + q[1].sm * q[2].sp)
    m = qs.OpenSystem(H, (qs.Coupling(q[0].sm, qs.BosonicBath("A", TA)), qs.Coupling(q[2].sm, qs.BosonicBath("B", TB))),
                      assumptions=(lam < w / 2,))
    me = qs.global_master_equation(m)
    ss = me.steady_state()
    assert ss.method.startswith("product of 3 independent")  # one channel per normal mode
    assert qs.energy_balance(me, ss) == 0
    rep = qs.verify(me.heat_current("A", ss), me, bath="A", n=60)
    assert rep.max_rel_err <= TOL, rep


def test_resonant_level_between_fermionic_leads_heat_current_includes_chemical_work():
    w, TL, TR = qs.symbols("omega T_L T_R", positive=True)
    mu = qs.symbols("mu", real=True)
    (c,) = qs.fermions(1)
    m = qs.OpenSystem(w * c.n, (qs.Coupling(c.c, qs.FermionicBath("L", TL, chemical_potential=mu)),
                                qs.Coupling(c.c, qs.FermionicBath("R", TR))))
    me = qs.global_master_equation(m)
    ss = me.steady_state()
    for bath in ("L", "R"):
        q = sp.Add(*me.heat_current(bath, ss, by_channel=True).values())
        rep = qs.verify(q, me, bath=bath, n=60)
        assert rep.max_rel_err <= TOL, rep
    rep = qs.verify(ss.population(2), me, qs.Population(2), n=60)
    assert rep.max_rel_err <= TOL, rep
    # heat currents do not balance: their sum is minus the chemical work mu * J_L
    total = qs.energy_balance(me, ss)
    assert total != 0 and mu in total.free_symbols


def test_hermitian_sigma_x_coupling_gives_gibbs_state_with_one_bath():
    w, T, k, wc = qs.symbols("omega T kappa omega_c", positive=True)
    (q,) = qs.qubits(1)
    m = qs.OpenSystem(w / 2 * q.sz, (qs.Coupling(q.sx, qs.BosonicBath("A", T, qs.OhmicSpectrum(k, wc)), form="hermitian"),))
    me = qs.global_master_equation(m)
    ss = me.steady_state()
    excited = qs.expand_occupations(ss.population(2))
    assert sp.simplify(excited - sp.exp(-w / T) / (1 + sp.exp(-w / T))) == 0
