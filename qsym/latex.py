"""Presentation only: LaTeX in a paper's notation, and compilable documents.

``latex(expr)`` prints ``n_A(omega_+)`` as ``n_A(\\omega_+)``, ``g_A(omega_+)`` as
``g_A(\\omega_+)``, defined symbols by their names (alpha, beta, omega_pm), and currents in
the ``F [n_A - n_B]`` order of the paper.
"""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

from .baths import _Occupation

__all__ = ["latex", "QsymLatexPrinter", "master_equation_latex", "display_equation", "display_lines",
           "latex_width"]


@lru_cache(maxsize=4096)
def _exponent_is_constant(ex) -> bool:
    return bool(ex.is_constant())


def _fraction_exact(expr, exact=False):
    """``sympy.simplify.fraction`` with the same output, asking ``is_constant()`` of each
    negative exponent once: SymPy's LaTeX printer splits every product with
    ``fraction(expr, exact=True)``, and ``is_constant`` simplifies and substitutes into the
    exponent each time -- 0.035 s for ``e^{-beta sqrt(kappa^2 + ...)}``, asked 2568 times while
    one collision-model record was printed (90 s of 800 s)."""
    if not exact:
        return _sympy_fraction(expr, exact)
    numer, denom = [], []
    for term in sp.Mul.make_args(sp.sympify(expr)):
        if term.is_commutative and (term.is_Pow or isinstance(term, sp.exp)):
            b, ex = term.as_base_exp()
            if ex.is_negative:
                if ex is sp.S.NegativeOne:
                    denom.append(b)
                elif _exponent_is_constant(ex):
                    denom.append(sp.Pow(b, -ex))
                else:
                    numer.append(term)
            else:
                numer.append(term)
        elif term.is_Rational and not term.is_Integer:
            if term.p != 1:
                numer.append(term.p)
            denom.append(term.q)
        else:
            numer.append(term)
    return sp.Mul(*numer, evaluate=False), sp.Mul(*denom, evaluate=False)


_SIMPLIFY = importlib.import_module("sympy.simplify")  # the package (sympy.simplify is the function)
_sympy_fraction = _SIMPLIFY.fraction
_patch_depth = 0


@contextmanager
def _memoised_fraction():
    """``sympy.simplify.fraction`` is :func:`_fraction_exact` while a product is printed (SymPy's
    ``_print_Mul`` imports it at call time); restored after the outermost product."""
    global _patch_depth
    if _patch_depth == 0:
        _SIMPLIFY.fraction = _fraction_exact
    _patch_depth += 1
    try:
        yield
    finally:
        _patch_depth -= 1
        if _patch_depth == 0:
            _SIMPLIFY.fraction = _sympy_fraction


class QsymLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with compact function application ``g_A(\\omega_+)``."""

    def _print_Symbol(self, expr, style="plain"):
        # a name of several words ("Delta omega", as a paper writes it): each word printed
        if " " in expr.name.strip():
            return "".join(super(QsymLatexPrinter, self)._print_Symbol(sp.Symbol(w), style)
                           for w in expr.name.split())
        return super()._print_Symbol(expr, style)

    def _print_Pow(self, expr):
        b = expr.base
        if isinstance(b, sp.Symbol) and " " in b.name.strip() and expr.exp.is_Integer and expr.exp > 0:
            return rf"\left({self._print(b)}\right)^{{{self._print(expr.exp)}}}"  # (Delta omega)^2
        return super()._print_Pow(expr)

    def _print_Mul(self, expr):
        with _memoised_fraction():
            return super()._print_Mul(expr)

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


# ---- display equations with line breaking -----------------------------------------------------
#
# Width heuristic.  ``latex_width`` estimates the rendered width of a LaTeX math string in
# "character units" of about 5.7pt at 10pt (measured 5.2-6.3pt): every visible letter, digit or
# symbol counts 1 (a capital 1.2), binary operators and relations count with their surrounding space (+, -,
# \times: 2.2; =, \to: 2.6), commands are replaced by what they draw (\alpha: 1, \operatorname{atan}
# or \text{...}: their letters, \quad: 2, \left. and \label: 0), sub- and superscripts count 0.7 of
# their content (stacked ones the wider of the two), ``\frac{a}{b}`` counts the wider of a and b,
# ``\sqrt{a}`` a plus 1.2, and a matrix the sum of its widest entries per column plus the column
# gaps.  Calibrated against pdflatex's widths of derived results (``tests/test_latex_snapshots.py``
# compiles the broken equations and checks the log for overfull boxes).  ``width=80`` is about
# 455pt (at most ~500pt): the text width of a 10pt article with 2cm margins is 481pt (A4) to
# 500pt (letter); the last line of a numbered equation reserves 5 units for the number.

_CHAR_WIDTH = {"+": 2.2, "-": 2.2, "=": 2.6, "<": 2.6, ">": 2.6, "(": 0.8, ")": 0.8, "[": 0.6, "]": 0.6,
               "|": 0.6, ",": 0.9, ";": 0.9, ".": 0.6, "!": 0.6, "'": 0.5, "/": 1.0, "*": 1.0, ":": 1.0}
_SCRIPT = 0.7
_CMD_WIDTH = {"quad": 2.0, "qquad": 4.0, ",": 0.35, ";": 0.55, ":": 0.45, "!": -0.35, " ": 0.7,
              "times": 2.2, "cdot": 1.4, "pm": 2.2, "mp": 2.2, "to": 2.8, "rightarrow": 2.8, "leq": 2.6,
              "geq": 2.6, "ni": 2.6, "in": 2.6, "approx": 2.6, "sim": 2.6, "simeq": 2.6, "equiv": 2.6,
              "neq": 2.6, "ll": 2.8, "gg": 2.8, "ldots": 2.6, "cdots": 2.6, "infty": 1.6, "langle": 0.8,
              "rangle": 0.8, "{": 1.0, "}": 1.0, "nonumber": 0.0, "notag": 0.0, "displaystyle": 0.0}
_NO_ARG_TEXT = {"label", "tag"}
_TEXT_CMDS = {"text", "mathrm", "operatorname", "textrm", "mathit", "textit", "mbox", "textbf"}
_ARG_CMDS = {"mathcal", "mathbf", "boldsymbol", "hat", "tilde", "bar", "dot", "ddot", "vec", "overline",
             "mathbb", "mathsf", "mathscr", "widehat", "widetilde", "mathfrak"}
_DELIM_CMDS = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "big", "Big", "bigg", "Bigg"}
_MATRIX_ENVS = {"matrix", "pmatrix", "bmatrix", "vmatrix", "Bmatrix", "smallmatrix"}


def _read_group(s: str, i: int) -> tuple[str, int]:
    """The content of the brace group opening at ``s[i] == '{'`` and the index after it."""
    depth, j = 0, i
    while j < len(s):
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
        j += 1
    return s[i + 1:], len(s)


def _read_command(s: str, i: int) -> tuple[str, int]:
    """The name of the command at ``s[i] == '\\'`` (letters, or one other character)."""
    j = i + 1
    if j < len(s) and s[j].isalpha():
        while j < len(s) and s[j].isalpha():
            j += 1
        return s[i + 1:j], j
    return s[i + 1:j + 1], j + 1


def _skip_spaces(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _read_arg(s: str, i: int) -> tuple[str, int]:
    """One argument: a brace group, a command, or a single character."""
    i = _skip_spaces(s, i)
    if i >= len(s):
        return "", i
    if s[i] == "{":
        return _read_group(s, i)
    if s[i] == "\\":
        _, j = _read_command(s, i)
        return s[i:j], j
    return s[i], i + 1


def _split_top(s: str, sep: str) -> list[str]:
    """``s`` split at occurrences of ``sep`` outside braces and nested environments."""
    parts, depth, env, start, i = [], 0, 0, 0, 0
    while i < len(s):
        if s.startswith(r"\begin", i):
            env += 1
        elif s.startswith(r"\end", i):
            env -= 1
        if s.startswith(sep, i) and depth == 0 and env == 0:
            parts.append(s[start:i])
            i += len(sep)
            start = i
            continue
        c = s[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "{") - (c == "}")
        i += 1
    parts.append(s[start:])
    return parts


def _matrix_width(body: str, delimited: bool) -> float:
    """Columns' widest entries plus the 1em gaps between columns (and 1.6 for delimiters)."""
    rows = [r for r in _split_top(body, r"\\") if r.strip()]
    cols: list[float] = []
    for row in rows:
        for k, cell in enumerate(_split_top(row, "&")):
            w = latex_width(cell)
            if k < len(cols):
                cols[k] = max(cols[k], w)
            else:
                cols.append(w)
    return sum(cols) + 2.0 * max(len(cols) - 1, 0) + (1.6 if delimited else 0.0)


def _read_environment(s: str, i: int) -> tuple[float, int]:
    r"""Width of ``\begin{env}...\end{env}`` starting at ``s[i]`` (after ``\begin``)."""
    env, j = _read_group(s, _skip_spaces(s, i))
    depth, k = 1, j
    while k < len(s) and depth:
        if s.startswith(r"\begin", k):
            depth += 1
        elif s.startswith(r"\end", k):
            depth -= 1
            if depth == 0:
                break
        k += 1
    body = s[j:k]
    _, end = _read_group(s, k + 4) if k < len(s) else ("", len(s))
    if env.rstrip("*") in _MATRIX_ENVS:
        return _matrix_width(body, env != "matrix"), end
    return max((latex_width(r) for r in _split_top(body, r"\\")), default=0.0), end


def _command_width(s: str, i: int) -> tuple[float, int]:
    """Width of the command starting at ``s[i] == '\\'`` with its arguments; index after it."""
    name, j = _read_command(s, i)
    if name in ("frac", "dfrac", "tfrac", "binom"):
        a, j = _read_arg(s, j)
        b, j = _read_arg(s, j)
        return max(latex_width(a), latex_width(b)) + 0.4, j
    if name == "sqrt":
        j = _skip_spaces(s, j)
        index = 0.0
        if j < len(s) and s[j] == "[":
            close = s.index("]", j)
            index, j = _SCRIPT * latex_width(s[j + 1:close]), close + 1
        a, j = _read_arg(s, j)
        return latex_width(a) + 1.2 + index, j
    if name in _DELIM_CMDS:
        d, j = _read_arg(s, j)
        return (0.0 if d == "." else 0.8), j
    if name in _TEXT_CMDS:
        a, j = _read_arg(s, j)
        return 0.9 * len(a.replace("\\", "")), j
    if name in _ARG_CMDS:
        a, j = _read_arg(s, j)
        return latex_width(a), j
    if name in _NO_ARG_TEXT:
        _, j = _read_arg(s, j)
        return 0.0, j
    if name == "begin":
        return _read_environment(s, j)
    if name in ("sin", "cos", "tan", "log", "ln", "exp", "sinh", "cosh", "tanh", "det", "max", "min",
                "arg", "lim", "Re", "Im", "tr"):
        return 0.9 * len(name) + 0.3, j
    return _CMD_WIDTH.get(name, 1.0), j


def _atom_width(s: str, i: int) -> tuple[float, int]:
    """Width of the atom (group, command or character) at ``s[i]``; index after it."""
    c = s[i]
    if c.isspace() or c in "&~":
        return 0.0, i + 1
    if c == "{":
        g, j = _read_group(s, i)
        return latex_width(g), j
    if c == "\\":
        return _command_width(s, i)
    return _CHAR_WIDTH.get(c, 1.2 if c.isupper() else 1.0), i + 1


def latex_width(tex: str) -> float:
    """Estimated rendered width of a LaTeX math string (display style), in character units of
    about 5.7pt at 10pt; the heuristic is described in the comment above ``_CHAR_WIDTH``.
    Unbalanced ``\\left(`` or ``\\right)`` (pieces of a broken line) are accepted."""
    total, i = 0.0, 0
    while i < len(tex):
        if tex[i] in "^_":
            scripts = []
            while i < len(tex) and tex[i] in "^_":
                a, i = _read_arg(tex, i + 1)
                scripts.append(_SCRIPT * latex_width(a))
                i = _skip_spaces(tex, i)
            total += max(scripts)
            continue
        w, i = _atom_width(tex, i)
        total += w
    return total


class _BreakingPrinter(QsymLatexPrinter):
    """The qsym printer with a memo of printed subexpressions (the line breaker prints the same
    factors many times while it tries which to pull out of a fraction)."""

    def __init__(self, settings=None):
        super().__init__(settings)
        self._memo: dict = {}

    def tex(self, expr) -> str:
        """``self._print(expr)``, memoised."""
        if expr not in self._memo:
            self._memo[expr] = self._print(expr)
        return self._memo[expr]


@dataclass(frozen=True)
class _Piece:
    """A unit of a broken expression.  ``tex`` is its text inside a line; ``lead`` its text when
    it begins a line (None: no line may begin with it); ``kind`` is ``"open"`` for ``\\left(``,
    ``"close"`` for ``\\right)...``, else ``"atom"``."""

    tex: str
    lead: str | None = None
    kind: str = "atom"


def _prefixed(pieces: list[_Piece], text: str, lead: str | None) -> list[_Piece]:
    """``pieces`` with ``text`` put before the first (which may then begin a line as ``lead``)."""
    first = pieces[0]
    new_lead = None if lead is None else lead + first.tex
    return [_Piece(text + first.tex, new_lead, first.kind)] + pieces[1:]


def _bracket(printer, inner, suffix: str, budget: float) -> list[_Piece]:
    r"""``\left( inner \right)suffix`` as pieces; the inner sum may break (never before its first term)."""
    inner_pieces = _pieces(printer, inner, budget - 2)
    first = inner_pieces[0]
    inner_pieces[0] = _Piece(first.tex, None, first.kind)
    return [_Piece(r"\left(", None, "open")] + inner_pieces + [_Piece(r"\right)" + suffix, None, "close")]


def _add_pieces(printer, expr, budget: float) -> list[_Piece]:
    """A sum as one piece per term (each may begin a line), in the printer's order; a term wider
    than ``budget`` is itself broken (:func:`_pieces`)."""
    out: list[_Piece] = []
    for i, term in enumerate(printer._as_ordered_terms(expr)):
        sign = ""
        if i > 0:
            sign = "+ "
            if term.could_extract_minus_sign():
                sign, term = "- ", -term
        if printer._needs_add_brackets(term):
            sub = [_Piece(r"\left(" + printer.tex(term) + r"\right)")]
        else:
            sub = _pieces(printer, term, budget - 2)
        out += _prefixed(sub, sign, sign)
    return out


def _factor_pieces(printer, f, budget: float, inverse: bool) -> list[_Piece]:
    """One pulled-out factor of a product (or, ``inverse``, of its denominator): one piece when
    it fits, else ``(sum)^k`` as a bracket that breaks inside, a nested product broken in turn."""
    shown = sp.Pow(f, -1) if inverse else f
    tex = printer.tex(shown)
    if isinstance(shown, sp.Add):
        tex = r"\left(" + tex + r"\right)"
    if latex_width(tex) <= budget:
        return [_Piece(tex)]
    base, k = f.as_base_exp()
    if isinstance(base, sp.Add):
        exponent = -k if inverse else k
        suffix = "" if exponent == 1 else "^{" + printer.tex(exponent) + "}"
        return _bracket(printer, base, suffix, budget)
    return _pieces(printer, f, budget) if not inverse else [_Piece(tex)]


def _split_product(expr) -> tuple[list, list]:
    """Numerator and denominator factors of a product, in the printer's order."""
    numer, denom = sp.fraction(expr, exact=True)
    nums = list(numer.as_ordered_factors()) if numer.is_Mul else [numer]
    dens = list(denom.as_ordered_factors()) if denom.is_Mul else [denom]
    return [f for f in nums if f != 1], [f for f in dens if f != 1]


def _bracketable(f) -> bool:
    base = f.base if isinstance(f, sp.Pow) and f.exp.is_positive else f
    return isinstance(base, (sp.Add, sp.Mul))


def _widest_first(printer, factors) -> list:
    """Factors by decreasing printed width (stable, so ties keep the printer's order)."""
    return sorted(factors, key=lambda f: -latex_width(printer.tex(f)))


def _head_tex(printer, nums, dens) -> str:
    """The product of the factors kept together, as the printer writes it (may be empty)."""
    if not nums and not dens:
        return ""
    head = sp.Mul(*nums) / sp.Mul(*dens)
    return printer.tex(head) if head != 1 else ""


def _head_fits(printer, nums, dens, pulled_n, pulled_d, budget: float) -> bool:
    """Whether the product without the pulled-out factors fits in ``budget``."""
    head = _head_tex(printer, [g for g in nums if g not in pulled_n], [g for g in dens if g not in pulled_d])
    return latex_width(head) <= budget


def _mul_pieces(printer, expr, budget: float) -> list[_Piece]:
    """A product too wide for one line: its bracketed numerator factors (widest first), then its
    denominator factors (widest first) are pulled out of the fraction until the rest fits; a
    pulled factor may begin a line as ``\\times ...`` and a pulled sum breaks inside its
    brackets; if the rest still does not fit, every factor becomes its own piece."""
    sign = ""
    if expr.could_extract_minus_sign():
        sign, expr = "- ", -expr
    nums, dens = _split_product(expr)
    pulled_n, pulled_d = [], []
    for f in _widest_first(printer, [f for f in nums if _bracketable(f)]):
        if _head_fits(printer, nums, dens, pulled_n, pulled_d, budget):
            break
        pulled_n.append(f)
    for f in _widest_first(printer, dens):
        if _head_fits(printer, nums, dens, pulled_n, pulled_d, budget):
            break
        pulled_d.append(f)
    kept_n = [g for g in nums if g not in pulled_n]
    kept_d = [g for g in dens if g not in pulled_d]
    head = _head_tex(printer, kept_n, kept_d)
    groups: list[list[_Piece]] = []
    if latex_width(head) > budget and len(kept_n) > 1:
        groups += [[_Piece(printer.tex(sp.Pow(sp.Mul(*kept_d), -1)))]] if kept_d else []
        groups += [_factor_pieces(printer, f, budget, False) for f in kept_n]
    elif head:
        groups.append([_Piece(head)])
    groups += [_factor_pieces(printer, f, budget, True) for f in pulled_d]
    groups += [_factor_pieces(printer, f, budget, False) for f in nums if f in pulled_n]
    out = groups[0]
    for g in groups[1:]:
        out += _prefixed(g, " ", r"\times ")
    return _prefixed(out, sign, sign) if sign else out


def _pieces(printer, expr, budget: float) -> list[_Piece]:
    """``expr`` as pieces each (where possible) no wider than ``budget``: one piece when it fits,
    else broken at top-level terms of a sum, then at top-level factors of a product."""
    tex = printer.tex(expr)
    if latex_width(tex) <= budget:
        return [_Piece(tex)]
    if isinstance(expr, sp.Add):
        return _add_pieces(printer, expr, budget)
    if isinstance(expr, sp.Mul) or (isinstance(expr, sp.Pow) and expr.exp.is_negative):
        return _mul_pieces(printer, expr, budget)
    if isinstance(expr, sp.Pow) and isinstance(expr.base, sp.Add) and expr.exp.is_positive and expr.exp != sp.S.Half:
        return _bracket(printer, expr.base, "^{" + printer.tex(expr.exp) + "}", budget)
    return [_Piece(tex)]


def _segments(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Pieces grouped into unbreakable runs: each run starts where a line may begin."""
    segs: list[list[_Piece]] = []
    for p in pieces:
        if p.lead is not None and segs:
            segs.append([p])
        elif segs:
            segs[-1].append(p)
        else:
            segs.append([p])
    return segs


def _segment_tex(seg: list[_Piece], starts_line: bool) -> str:
    """A run's text; its first piece written as ``lead`` when the run begins a line."""
    first = seg[0].lead if starts_line and seg[0].lead is not None else seg[0].tex
    return " ".join([first.strip()] + [p.tex.strip() for p in seg[1:]])


def _fill_lines(pieces: list[_Piece], first_budget: float, budget: float, last_extra: float = 0.0) -> list[str]:
    """Greedy line filling of unbreakable runs; a bracket open at a break is closed with
    ``\\right.`` and reopened with ``\\left.`` on the next line, so every line is balanced.
    ``last_extra`` is width reserved at the end (the equation number)."""
    segs = _segments(pieces)
    lines: list[list[str]] = [[]]
    widths = [0.0]
    depth = 0
    for k, seg in enumerate(segs):
        extra = last_extra if k == len(segs) - 1 else 0.0
        cap = first_budget if len(lines) == 1 else budget
        w_inline = latex_width(_segment_tex(seg, False))
        if lines[-1] and widths[-1] + w_inline + extra > cap:
            lines[-1].append(r"\right." * depth)
            lines.append([r"\left." * depth] if depth else [])
            widths.append(0.0)
            text = _segment_tex(seg, True)
            if text.startswith(("+ ", "- ")):
                text = "{}" + text  # binary spacing for the sign that continues a sum
        else:
            text = _segment_tex(seg, not lines[-1])
        lines[-1].append(text)
        widths[-1] += latex_width(text)
        depth += sum(1 for p in seg if p.kind == "open") - sum(1 for p in seg if p.kind == "close")
    return [" ".join(t for t in line if t) for line in lines]


def _limit_pieces(printer, lim, budget: float) -> list[_Piece]:
    """A :class:`~qsym.asymptotics.Limit`: leading form, ``(1 + O(correction))``, and the regime."""
    order = (r"\left(1 + \mathcal{O}\left(" + printer.tex(lim.correction) + r"\right)\right)")
    regime = (r"\qquad \left(\text{" + lim.regime + r"},\ " + printer.tex(lim.variable) + r" \to "
              + printer.tex(lim.point) + r"\right)")
    lead = _pieces(printer, lim.leading, budget)
    if isinstance(sp.sympify(lim.leading), sp.Add):
        lead = [_Piece(r"\left[", None, "open")] + _prefixed(lead, "", None) + [_Piece(r"\right]", None, "close")]
    return lead + [_Piece(order, r"\times " + order), _Piece(regime, regime)]


def _numbering(numbered: bool, label) -> tuple[str, str]:
    star = "" if numbered else "*"
    return star, (rf"\label{{{label}}}" if label else "")


def _is_matrix(expr) -> bool:
    """A SymPy matrix, or an object carrying one (an :class:`~qsym.algebra.operators.Operator`)."""
    return isinstance(expr, sp.MatrixBase) or (hasattr(expr, "matrix") and not isinstance(expr, sp.Basic))


def _as_matrix(expr) -> sp.Matrix:
    return sp.Matrix(expr if isinstance(expr, sp.MatrixBase) else expr.matrix)


def _pmatrix(printer, M, names: dict) -> str:
    rows = [" & ".join(names.get((i, j), printer.tex(M[i, j])) for j in range(M.cols)) for i in range(M.rows)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


def _entry_name(lhs: str, i: int, j: int, big: bool) -> str:
    """``K^{A}_{12}`` (or ``\\left(\\rho_{n}\\right)_{12}`` when the name has a subscript)."""
    idx = f"{i + 1},{j + 1}" if big else f"{i + 1}{j + 1}"
    base = lhs or "M"
    if "_" in base or " " in base.strip():
        base = rf"\left({base}\right)"
    return f"{base}_{{{idx}}}"


_SHORT_BASES = ("M", "K", "X", "Y", "Z", "Q")


def _entry_base(lhs: str, M) -> str:
    """The name the entries of ``M`` are called by: ``lhs`` itself when short, else a letter
    that is not a symbol of ``M``."""
    if latex_width(lhs) <= 8:
        return lhs
    used = {str(x) for x in M.free_symbols}
    return next((b for b in _SHORT_BASES if b not in used), "M")


def _name_entries(printer, M, lhs: str, budget: float) -> dict:
    """Names for the widest entries, widest first (equal entries share a name), until the
    matrix fits in ``budget``."""
    big = max(M.shape) > 9
    entries = sorted(((latex_width(printer.tex(M[i, j])), i, j) for i in range(M.rows) for j in range(M.cols)),
                     key=lambda t: (-t[0], t[1], t[2]))
    names: dict = {}
    first: dict = {}
    for w, i, j in entries:
        if latex_width(_pmatrix(printer, M, names)) <= budget or w <= 4:
            break
        e = M[i, j]
        names[(i, j)] = first.setdefault(e, _entry_name(lhs, i, j, big))
    return names


def _matrix_rows(printer, lhs: str, M, width: float, relation: str) -> list[tuple[str, str]]:
    """``(left, right)`` rows of an ``align``: the matrix with named entries, then each name's
    entry, broken onto continuation rows (``&\\quad ...``) when wider than the page."""
    rel_w = latex_width(relation) + 0.5
    base = _entry_base(lhs, M)
    wide = base != lhs
    names = _name_entries(printer, M, base, width - latex_width(lhs) - rel_w - (4 if wide else 0))
    pm = _pmatrix(printer, M, names)
    # a wide name (a result's label) starts in the right column, so that it does not push every
    # entry row right; the entries are then named by a short letter
    rows = [("", f"{lhs} {relation} {pm}")] if wide else [(lhs, pm)]
    defined = {}
    for (i, j), name in sorted(names.items()):
        defined.setdefault(name, M[i, j])
    left_w = max([0.0 if wide else latex_width(lhs)] + [latex_width(n) for n in defined])
    for name, e in defined.items():  # row-major order of first appearance
        lines = _fill_lines(_pieces(printer, e, width - left_w - rel_w - 2), width - left_w - rel_w,
                            width - left_w - rel_w - 2)
        rows.append((name, lines[0]))
        rows += [("", r"\quad " + ln) for ln in lines[1:]]
    return rows


def display_lines(lhs: str, expr, width: float = 80, *, relation: str = "=", numbered: bool = False) -> list[str]:
    """The lines :func:`display_equation` sets (without environment, ``&``, ``\\\\``, labels):
    one line when ``lhs relation expr`` fits in ``width`` (see :func:`latex_width`), else the
    sum (or product) broken so that every line fits where possible.  For a matrix: the
    ``lhs = pmatrix`` row, then the named entries' rows (continuations start with ``\\quad``).
    ``numbered`` reserves room for the equation number on the last line."""
    printer = _BreakingPrinter()
    head = f"{lhs} {relation} " if lhs else ""
    if _is_matrix(expr):
        M = _as_matrix(expr)
        return [f"{a} {relation} {b}" if a else b for a, b in _matrix_rows(printer, lhs, M, width, relation)]
    tag = 5.0 if numbered else 0.0
    if hasattr(expr, "leading") and hasattr(expr, "correction"):
        pieces = _limit_pieces(printer, expr, width - 4)
    else:
        expr = sp.sympify(expr)
        one = head + printer.tex(expr)
        if latex_width(one) + tag <= width:
            return [one]
        pieces = _pieces(printer, expr, width - 4)
    lines = _fill_lines(pieces, width - latex_width(head), width - 2, tag)
    return [head + lines[0]] + lines[1:]


def display_equation(lhs: str, expr, *, label=None, numbered: bool = True, width: float = 80,
                     relation: str = "=") -> str:
    """A display environment (amsmath only) for ``lhs relation expr``.

    * fits in ``width`` (see :func:`latex_width`): ``equation``;
    * a longer expression: ``multline``, broken at top-level terms of the sum, then at top-level
      factors of a too-wide product (continuations begin with ``\\times``), brackets closed with
      ``\\right.`` and reopened with ``\\left.`` at a break;
    * a :class:`~qsym.asymptotics.Limit`: its leading form times ``(1 + O(correction))`` and the
      regime, broken like an expression;
    * a matrix: ``pmatrix`` in an ``align``; when it is too wide, its widest entries (widest
      first) are replaced by names ``lhs_{ij}`` (equal entries share one name) defined on the
      rows below, broken onto ``&\\quad`` continuation rows when needed.

    ``numbered=False`` gives the starred environments; ``label`` adds ``\\label{...}``.  The
    output depends on the expression only (SymPy's printing order; no hashing)."""
    star, lab = _numbering(numbered, label)
    if _is_matrix(expr):
        printer = _BreakingPrinter()
        M = _as_matrix(expr)
        rows = _matrix_rows(printer, lhs, M, width, relation)
        a, b = rows[0]
        body = [(f"{a} &{relation} {b}" if a else f"&{b}") + (f" {lab}" if lab else "")]
        nonum = r" \nonumber" if numbered else ""
        for a, b in rows[1:]:
            body.append((f"{a} &{relation} {b}" if a else f"&{b}") + nonum)
        return f"\\begin{{align{star}}}\n" + " \\\\\n".join(body) + f"\n\\end{{align{star}}}\n"
    lines = display_lines(lhs, expr, width, relation=relation, numbered=numbered)
    env = "equation" if len(lines) == 1 else "multline"
    body = " \\\\\n".join(lines)
    return f"\\begin{{{env}{star}}}\n{body}" + (f" {lab}" if lab else "") + f"\n\\end{{{env}{star}}}\n"
