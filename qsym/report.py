"""A derivation as a record: its steps, its results (each as a numbered equation in the
paper's notation, with the published form and its status beside it) and the verification
table, as a compilable LaTeX document or as Markdown.

    d = qs.derive("fogedby-single-qubit")   # results from the disk cache when fresh
    d                                        # renders in a notebook (Markdown with math)
    d.records()                              # verification records (cached as well)
    d.latex_document(); d.markdown()

``qsym derive NAME --latex FILE`` / ``--markdown FILE`` write the same documents.
"""
from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

import sympy as sp

from . import cache as _cache
from .latex import latex
from .steps import steps_of

__all__ = ["DerivationReport", "derive", "latex_document", "markdown_document", "tex_escape"]

_STATUS_TEX = {"match": r"\textcolor{teal}{match}", "mismatch": r"\textcolor{red}{mismatch}",
               "derived-only": "derived-only"}
_STATUS_MD = {"match": "match", "mismatch": "**mismatch**", "derived-only": "derived-only"}


def tex_escape(s: str) -> str:
    """Text for LaTeX text mode (math in ``$...$`` kept)."""
    parts = str(s).split("$")
    for i in range(0, len(parts), 2):  # even parts are text, odd parts math
        parts[i] = (parts[i].replace("\\", "\x00").replace("_", r"\_").replace("%", r"\%")
                    .replace("&", r"\&").replace("#", r"\#").replace("{", r"\{").replace("}", r"\}")
                    .replace("^", r"\^{}").replace("~", r"\~{}").replace("<", "$<$")
                    .replace(">", "$>$").replace("\x00", r"$\backslash$"))
    if len(parts) % 2 == 0:  # an odd number of $: treat all as text
        return tex_escape(str(s).replace("$", "")) + r"\$"
    return "$".join(parts)


def docstring_tex(doc: str) -> str:
    """A module docstring for LaTeX text: ``code`` and :role:`x` as typewriter, the rest escaped."""
    import re
    out, pos = [], 0
    for m in re.finditer(r"(?::[a-z]+:)?``?([^`]+)``?", doc):
        out.append(tex_escape(doc[pos:m.start()].replace("$", "")))
        out.append(r"\texttt{" + _plain(m.group(1)) + "}")
        pos = m.end()
    out.append(tex_escape(doc[pos:].replace("$", "")))
    return "".join(out).replace("\n\n", "\n\n\\noindent ")


def notation(results, definitions=()) -> list:
    """The defined symbols the results are written in (``omega_+``, ``nu_1`` ...), with the
    module's own ``definitions()`` first; each appears once."""
    from .algebra.symbols import defined_symbols_in
    seen = list(definitions)
    for r in results:
        for x in (r.derived, r.published):
            if x is None:
                continue
            for e in (list(x) if isinstance(x, sp.MatrixBase) else [sp.sympify(x)]):
                for d in sorted(defined_symbols_in(e), key=str):
                    if d not in seen:
                        seen.append(d)
    return seen


def _plain(s: str) -> str:
    """Text for LaTeX, no math kept (equation labels, names)."""
    return tex_escape(str(s).replace("$", ""))


def _display(lhs: str, expr, tag: str | None, *, published: bool = False) -> str:
    """A display equation, broken over lines when long (``qsym.latex.display_equation``), with
    the paper's label as its tag."""
    from .latex import display_equation
    body = display_equation(lhs, expr, numbered=False)
    if tag is not None:
        t = rf"\tag*{{published ({_plain(tag)})}}" if published else rf"\tag{{{_plain(tag)}}}"
        end = body.rstrip().rfind(r"\end{")
        body = body[:end].rstrip() + " " + t + "\n" + body[end:]
    return body.rstrip() + "\n"


def _counterexample_text(ce: dict) -> str:
    pars = ", ".join(f"{k} = {v:.4g}" for k, v in ce["parameters"].items() if "__g" not in k)
    what = "Witness (they differ, as stated)" if ce.get("witness") else "Counterexample"
    s = f"{what}: at {pars}: derived {ce['derived']:.6g}, published {ce['published']:.6g}"
    if "numeric_solver" in ce:
        s += f", numeric solver {ce['numeric_solver']:.6g}"
    return s + "."


def _status_line(rc, fmt: dict) -> str:
    line = f"Status: {fmt.get(rc.status, rc.status)}"
    if rc.max_rel_err is not None:
        line += f"; max relative error against the numeric solver {rc.max_rel_err:.1e} over {rc.samples} samples"
    else:
        line += "; no numeric target"
    if rc.proof:
        line += f"; proof: {rc.proof}"
    if rc.limit_check:
        lc = rc.limit_check
        rates = ", ".join(f"{x:.3g}" for x in lc.get("observed_rates", []) if x is not None)
        line += f"; limit ({lc['regime']}) rate checked: observed {rates}, {'passed' if lc['passed'] else 'FAILED'}"
    return line + "."


def _statement(tex: str) -> str:
    """A step's statement (raw LaTeX, possibly an ``aligned`` block): displayed as it is when it
    fits the line, scaled to the line width otherwise (graphicx)."""
    from .latex import latex_width
    if latex_width(tex) <= 80:
        return "\\[\n" + tex + "\n\\]\n"
    return "\\[\n\\resizebox{\\linewidth}{!}{$\\displaystyle " + tex + "$}\n\\]\n"


def shown_form(expr):
    """A result that is a defined symbol (``nu_1``) is shown by its definition."""
    from .algebra.symbols import DefinedSymbol
    return expr.definition if isinstance(expr, DefinedSymbol) else expr


def step_numbers(result, steps) -> list[int]:
    """1-based numbers of the steps a result used (its stage's steps and its limits)."""
    mine = set(result.me.derivation_steps()) if hasattr(result.me, "derivation_steps") else set()
    lims = result.limit if isinstance(result.limit, (list, tuple)) else ([result.limit] if result.limit else [])
    regimes = {f"Regime: {lim.regime}, {lim.variable} -> {lim.point}" for lim in lims}
    return [k + 1 for k, s in enumerate(steps) if s in mine or (s.kind == "limit" and s.title in regimes)]


def latex_document(title: str, abstract: str, results, records, steps=(), definitions=()) -> str:
    """A complete LaTeX document (amsmath, xcolor, longtable, geometry: Debian's
    texlive-latex-base and texlive-latex-recommended): the steps with their approximations
    and assumptions, every result as an equation tagged with the paper's label, the published
    form and its status beside it, and the verification table."""
    rec = {r.result: r for r in records}
    out = [r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,xcolor,longtable,graphicx}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setcounter{MaxMatrixCols}{64}
\sloppy
\begin{document}
""", rf"\title{{{_plain(title)}}}\date{{{datetime.date.today().isoformat()}}}\author{{qsym}}\maketitle",
           "\n" + docstring_tex(abstract) + "\n\n"]
    if steps:
        out.append(r"\section*{Derivation steps}" + "\n" + r"\begin{enumerate}" + "\n")
        for s in steps:
            out.append(rf"\item \textbf{{{_plain(s.title)}}} [{_plain(s.approximation_text())}]" + "\n")
            for lhs, expr in s.equations:
                out.append(_display(lhs, expr, None))
            if s.statement:
                out.append(_statement(s.statement))
            if s.assumptions:
                out.append("Assumptions:\n" + r"\begin{itemize}" + "\n" +
                           "".join(rf"\item {tex_escape(a)}" + "\n" for a in s.assumptions) + r"\end{itemize}" + "\n")
        out.append(r"\end{enumerate}" + "\n")
        used = sorted({a for s in steps for a in s.approximations})
        from .steps import APPROXIMATIONS
        if used:
            out.append(r"\noindent Approximations used: " + "; ".join(
                rf"\emph{{{_plain(a)}}}: {_plain(APPROXIMATIONS[a])}" for a in used) + ".\n\n")
    definitions = notation(results, definitions)
    if definitions:
        out.append(r"\section*{Notation}" + "\n")
        for s in definitions:
            out.append(_display(latex(s), s.definition, None))
    out.append(r"\section*{Results}" + "\n")
    for r in results:
        rc = rec.get(r.name)
        lhs = r.latex_name or latex(sp.Symbol(r.name))
        out.append(rf"\subsection*{{{_plain(r.name)} (eq.~{_plain(r.equation)})}}" + "\n")
        if steps:
            nums = step_numbers(r, steps)
            if nums:
                out.append("From steps " + ", ".join(map(str, nums)) + ".\n")
        out.append(r"\noindent Derived:" + "\n" + _display(lhs, shown_form(r.derived), r.equation))
        if r.published is not None:
            rel = "published (transcribed)" if r.relation == "equal" else "published statement: differs from"
            out.append(rf"\noindent {_plain(rel.capitalize())}:" + "\n" + _display(lhs, shown_form(r.published), r.equation,
                                                                                 published=True))
        if rc is not None:
            out.append(tex_escape(_status_line(rc, {})).replace("Status: " + rc.status, "Status: " +
                                                                _STATUS_TEX.get(rc.status, rc.status)) + "\n\n")
            if rc.counterexample:
                out.append(_plain(_counterexample_text(rc.counterexample)) + "\n\n")
        if r.note:
            out.append(r"\noindent\emph{Note:} " + tex_escape(r.note) + "\n\n")
    out.append(r"\section*{Verification table}" + "\n" + r"{\small\begin{longtable}{p{4.5cm}p{3cm}lrrr}" + "\n"
               r"result & equation & status & max rel.\ err & samples & time [s]\\ \hline" + "\n" + r"\endhead" + "\n")
    for rc in records:
        err = "--" if rc.max_rel_err is None else f"{rc.max_rel_err:.1e}"
        out.append(f"{{}}{_plain(rc.result)} & {_plain(rc.equation)} & {_STATUS_TEX.get(rc.status, rc.status)} & "
                   f"{err} & {rc.samples} & {rc.time:.2f}\\\\\n")
    out.append(r"\end{longtable}}" + "\n" + r"\end{document}" + "\n")
    return "".join(out)


def _md_math(lhs: str, expr, tag: str | None = None) -> str:
    t = rf" \tag{{{tag}}}" if tag else ""
    return "$$\n" + (lhs + " = " if lhs else "") + latex(expr) + t + "\n$$\n"


def markdown_document(title: str, abstract: str, results, records, steps=(), definitions=()) -> str:
    """The same record as :func:`latex_document`, in Markdown with ``$$`` math (Jupyter, GitHub)."""
    rec = {r.result: r for r in records}
    out = [f"# {title}\n\n", abstract.strip() + "\n\n"]
    if steps:
        out.append("## Derivation steps\n\n")
        for k, s in enumerate(steps, 1):
            out.append(f"{k}. " + s.markdown().replace("\n", "\n   ") + "\n\n")
    definitions = notation(results, definitions)
    if definitions:
        out.append("## Notation\n\n")
        for s in definitions:
            out.append(_md_math(latex(s), s.definition))
    out.append("## Results\n\n")
    for r in results:
        rc = rec.get(r.name)
        lhs = r.latex_name or latex(sp.Symbol(r.name))
        out.append(f"### {r.name} (eq. {r.equation})\n\n")
        if steps:
            nums = step_numbers(r, steps)
            if nums:
                out.append("From steps " + ", ".join(map(str, nums)) + ".\n\n")
        out.append("Derived:\n\n" + _md_math(lhs, shown_form(r.derived), r.equation) + "\n")
        if r.published is not None:
            out.append("Published (transcribed):\n\n" + _md_math(lhs, shown_form(r.published)) + "\n")
        if rc is not None:
            out.append(_status_line(rc, _STATUS_MD) + "\n\n")
            if rc.counterexample:
                out.append(_counterexample_text(rc.counterexample) + "\n\n")
        if r.note:
            out.append(f"*Note:* {r.note}\n\n")
    if records:
        out.append("## Verification table\n\n| result | equation | status | max rel. err | samples | time [s] |\n"
                   "|---|---|---|---|---|---|\n")
        for rc in records:
            err = "--" if rc.max_rel_err is None else f"{rc.max_rel_err:.1e}"
            out.append(f"| `{rc.result}` | {rc.equation} | {_STATUS_MD.get(rc.status, rc.status)} | {err} | "
                       f"{rc.samples} | {rc.time:.2f} |\n")
    return "".join(out)


@dataclass
class DerivationReport:
    """One derivation module's record: ``results`` (derived, from the disk cache when fresh),
    ``steps``, and on request the verification ``records``."""

    name: str
    module: object
    results: list
    derive_time: float
    from_cache: bool
    _records: dict = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        return self.module.TITLE

    @property
    def steps(self) -> tuple:
        extra = self.module.steps() if hasattr(self.module, "steps") else ()
        return steps_of(self.results, extra)

    def result(self, name: str):
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"{self.name} has no result {name!r}; it has {[r.name for r in self.results]}")

    def records(self, samples: int = 200, seed: int = 0, *, progress=None) -> list:
        """Verification records (:func:`qsym.check_result` of every result), cached on disk."""
        if (samples, seed) not in self._records:
            key = _cache.derivation_key(self.module, "records", samples, seed)
            self._records[(samples, seed)] = _cache.cached(
                f"{self.name}.records-{samples}-{seed}", key, lambda: self._check_all(samples, seed, progress))
        return self._records[(samples, seed)]

    def _check_all(self, samples, seed, progress):
        from .derivation import check_result
        out = []
        for r in _progress(self.results, progress, desc=f"verify {self.name}"):
            out.append(check_result(self.name, r, n=samples, seed=seed))
        return out

    def latex_document(self, samples: int = 200, seed: int = 0) -> str:
        return latex_document(self.title, (self.module.__doc__ or "").strip(), self.results,
                              self.records(samples, seed), self.steps, self.module.definitions())

    def markdown(self, samples: int | None = 200, seed: int = 0) -> str:
        """The Markdown record; ``samples=None`` leaves out the verification."""
        records = self.records(samples, seed) if samples else []
        return markdown_document(self.title, (self.module.__doc__ or "").strip(), self.results, records,
                                 self.steps, self.module.definitions())

    def _repr_markdown_(self):
        records = next(iter(self._records.values()), [])
        return markdown_document(self.title, "", self.results, records, self.steps, self.module.definitions())


def _progress(items, progress, desc):
    """``items`` wrapped in a tqdm bar when tqdm is there and ``progress`` is not False."""
    if progress is False:
        return items
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, leave=False, disable=None if progress is None else not progress)


def derive(name: str, *, cache: bool = True) -> DerivationReport:
    """The derivation ``name`` (``qsym list``) as a :class:`DerivationReport`; its results come
    from the disk cache (:mod:`qsym.cache`) when an entry for this qsym code and model exists."""
    from derivations import registry
    reg = registry()
    if name not in reg:
        raise KeyError(f"unknown derivation {name!r}; `qsym list` shows {sorted(reg)}")
    mod = reg[name]
    t0 = time.perf_counter()
    computed = []

    def compute():
        computed.append(True)
        return mod.results()
    if cache:
        results = _cache.cached(f"{name}.results", _cache.derivation_key(mod, "results"), compute)
    else:
        results = compute()
    return DerivationReport(name, mod, results, time.perf_counter() - t0, not computed)
