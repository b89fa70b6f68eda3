"""Presentation only: LaTeX in a paper's notation, and compilable documents.

``latex(expr)`` prints ``n_A(omega_+)`` as ``n_A(\\omega_+)``, ``g_A(omega_+)`` as
``g_A(\\omega_+)``, defined symbols by their names (alpha, beta, omega_pm), and currents in
the ``F [n_A - n_B]`` order of the paper.
"""
from __future__ import annotations

import datetime

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from .baths import _Occupation

__all__ = ["latex", "QsymLatexPrinter", "master_equation_latex", "document"]


class QsymLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with compact function application ``g_A(\\omega_+)``."""

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, (AppliedUndef, _Occupation)):
            name = expr.func.__name__
            if "_" in name:
                head, sub = name.split("_", 1)
                name = f"{head}_{{{sub}}}"
            args = ", ".join(self._print(a) for a in expr.args)
            s = f"{name}({args})"
            return f"{s}^{{{exp}}}" if exp else s
        return super()._print_Function(expr, exp)


def latex(expr, **settings) -> str:
    """LaTeX of an expression or matrix in qsym's notation."""
    if hasattr(expr, "matrix") and not isinstance(expr, sp.Basic):
        expr = expr.matrix
    return QsymLatexPrinter(settings).doprint(expr)


def master_equation_latex(me) -> str:
    """The master equation as an ``aligned`` block: H, channels with rates, conditions."""
    rows = [r"\dot\rho &= -i[H_S,\rho] + " + " + ".join(rf"\mathcal{{D}}_{{{b}}}[\rho]" for b in me.bath_names)]
    for ch in me.channels:
        J = " + ".join(rf"{latex(a)}\,|{m + 1}\rangle\langle {n + 1}|" for (m, n), a in ch.operator)
        rows.append(rf"\mathcal{{D}}_{{{ch.bath}}} &\ni {latex(ch.rate)}\;\mathcal{{L}}\!\left[{J}\right]"
                    rf"\quad(\omega = {latex(ch.frequency)})")
    for f in me.frequencies:
        if hasattr(f, "definition"):
            rows.append(rf"{latex(f)} &= {latex(f.definition)}")
    return r"\begin{aligned}" + r"\\ ".join(rows) + r"\end{aligned}"


_STATUS = {"match": r"\textcolor{teal}{match}", "mismatch": r"\textcolor{red}{mismatch}",
           "derived-only": "derived-only"}


def _tex_escape(s: str) -> str:
    return (s.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("%", r"\%")
            .replace("&", r"\&").replace("#", r"\#").replace("{", r"\{").replace("}", r"\}")
            .replace("^", r"\^{}").replace("~", r"\~{}").replace("$", r"\$"))


def _eq_block(lhs: str, expr) -> str:
    if isinstance(expr, sp.MatrixBase):
        body = latex(expr)
    else:
        body = latex(expr)
    return "\\begin{dmath*}\n" + (lhs + " = " if lhs else "") + body + "\n\\end{dmath*}\n"


def document(title: str, abstract: str, results, records, definitions=()) -> str:
    """A complete, compilable LaTeX document: every derived result with the published form
    beside it and the verification table."""
    rec = {r.result: r for r in records}
    out = [r"""\documentclass[10pt]{article}
\usepackage[margin=2cm,landscape]{geometry}
\usepackage{amsmath,amssymb,breqn,xcolor,longtable}
\allowdisplaybreaks
\begin{document}
""", rf"\title{{{_tex_escape(title)}}}\date{{{datetime.date.today().isoformat()}}}\author{{qsym}}\maketitle",
           "\n" + _tex_escape(abstract) + "\n"]
    if definitions:
        out.append(r"\section*{Notation}" + "\n")
        for s in definitions:
            out.append(_eq_block(latex(s), s.definition))
    out.append(r"\section*{Results}" + "\n")
    for r in results:
        rc = rec.get(r.name)
        lhs = r.latex_name or latex(sp.Symbol(r.name))
        out.append(rf"\subsection*{{{_tex_escape(r.name)} (eq.~{_tex_escape(r.equation)})}}" + "\n")
        out.append(r"\noindent Derived:" + "\n" + _eq_block(lhs, r.derived))
        if r.published is not None:
            out.append(r"\noindent Published (transcribed):" + "\n" + _eq_block(lhs, r.published))
        if rc is not None:
            line = rf"Status: {_STATUS.get(rc.status, rc.status)}"
            if rc.max_rel_err is not None:
                line += rf"; max relative error vs numeric solver ${rc.max_rel_err:.1e}$ over {rc.samples} samples"
            if rc.proof:
                line += f"; proof: {_tex_escape(rc.proof)}"
            out.append(line + ".\n\n")
            if rc.counterexample:
                ce = rc.counterexample
                pars = ", ".join(f"{_tex_escape(k)}={v:.4g}" for k, v in ce["parameters"].items())
                what = "Witness (they differ, as stated)" if ce.get("witness") else "Counterexample"
                out.append(rf"{what}: at {pars}: derived ${ce['derived']:.6g}$, published "
                           rf"${ce['published']:.6g}$" + (rf", numeric solver ${ce['numeric_solver']:.6g}$"
                                                           if "numeric_solver" in ce else "") + ".\n\n")
        if r.note:
            out.append(r"\noindent\emph{Note:} " + _tex_escape(r.note) + "\n\n")
    out.append(r"\section*{Verification table}" + "\n" + r"\begin{longtable}{llllll}" + "\n"
               r"result & equation & status & max rel.\ err & samples & time [s]\\ \hline" + "\n")
    for rc in records:
        err = "--" if rc.max_rel_err is None else f"{rc.max_rel_err:.1e}"
        out.append(f"{_tex_escape(rc.result)} & {_tex_escape(rc.equation)} & {_STATUS.get(rc.status, rc.status)} & "
                   f"{err} & {rc.samples} & {rc.time:.2f}\\\\\n")
    out.append(r"\end{longtable}" + "\n" + r"\end{document}" + "\n")
    return "".join(out)
