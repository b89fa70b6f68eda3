"""Second-law certificates: proved for the global (secular) equation, refuted with a
numerically confirmed counterexample for the local one."""
from __future__ import annotations

import qsym as qs


def test_global_coupled_qubits_certificate_holds_channel_by_channel():
    from derivations import fogedby_coupled_qubits as f
    cert = qs.second_law_certificate(f.master_equation())
    assert cert.status == "holds"
    for bath in ("A", "B"):
        assert len(cert.terms[bath]) == 2  # omega_+ and omega_- channels
        for F, diff in cert.terms[bath]:
            assert F.is_nonnegative is True
    assert "underbrace" in cert._repr_latex_()


def test_single_qubit_certificate_holds():
    from derivations import fogedby_single_qubit as f
    assert qs.second_law_certificate(f.master_equation()).status == "holds"


def test_local_coupled_qubits_violate_second_law_at_a_confirmed_point():
    from derivations import fogedby_coupled_qubits as f
    cert = qs.second_law_certificate(f.local_master_equation(), n=2000)
    assert cert.status == "violated"
    ce = cert.counterexample
    assert ce["sigma_numeric_solver"] < 0 and ce["sigma_closed_form"] < 0
    assert abs(ce["sigma_numeric_solver"] - ce["sigma_closed_form"]) <= 1e-9 * abs(ce["sigma_closed_form"])
    # heat flows against the temperature difference at that point
    p = ce["parameters"]
    hot = "A" if p["T_A"] > p["T_B"] else "B"
    assert ce["heat_currents"][hot] < 0
