"""The ``qsym plot`` subcommand (registered by :func:`add_plot_parser`).

    qsym plot NAME RESULT --vs SYMBOL --range LO HI [--set SYMBOL=VALUE ...] [--points N]
              [--numeric-points M] [--log] [--limit] [--element K] [--seed S] --out fig.png

Without ``--limit``: the derived closed form against ``SYMBOL`` with the numeric solver's
values at a few points (:func:`qsym.plot.closed_form_vs_numeric`); prints the fixed parameter
values and the max relative deviation between closed form and numeric points.
With ``--limit`` (a result carrying ``.limit``): the full expression, the leading form and
the relative deviation against the regime's variable (:func:`qsym.plot.limit_vs_full`);
prints the observed and stated slopes.  Unknown NAME, RESULT or SYMBOL (and any other bad
argument) exit with status 2 and a message listing the valid choices.
"""
from __future__ import annotations

import sys

__all__ = ["add_plot_parser", "run_plot"]


def add_plot_parser(subparsers):
    """Register ``plot`` on the ``qsym`` command's subparsers; returns the new parser."""
    p = subparsers.add_parser("plot", help="plot a derived result: closed form vs numeric solver, or a limit vs full",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("name", help="derivation (see `qsym list`)")
    p.add_argument("result", help="result name (see `qsym derive NAME`)")
    p.add_argument("--vs", metavar="SYMBOL", help="parameter on the x axis (with --limit: the limit variable, optional)")
    p.add_argument("--range", nargs=2, type=float, metavar=("LO", "HI"), required=True)
    p.add_argument("--set", action="append", default=[], metavar="SYMBOL=VALUE", help="fix a parameter (repeatable)")
    p.add_argument("--points", type=int, default=40, help="closed-form points (default 40)")
    p.add_argument("--numeric-points", type=int, default=8, help="numeric-solver points (default 8)")
    p.add_argument("--log", action="store_true", help="logarithmic x axis")
    p.add_argument("--limit", action="store_true", help="plot the result's limit against the full expression")
    p.add_argument("--element", type=int, default=None, help="element of a matrix result (or of a list of limits)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random physical sample of the other parameters")
    p.add_argument("--out", required=True, metavar="FILE", help="output image (png, pdf, svg)")
    p.set_defaults(func=run_plot)
    return p


class _Usage(Exception):
    """A bad command-line argument (exit status 2)."""


def _parse_set(items) -> dict:
    out = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise _Usage(f"--set expects SYMBOL=VALUE, got {item!r}")
        try:
            out[key.strip()] = float(val)
        except ValueError:
            raise _Usage(f"--set {key.strip()}: the value must be a number, got {val!r}") from None
    return out


def _lookup(name, result):
    from .plot import find_result
    try:
        return find_result(name, result)
    except KeyError as exc:
        raise _Usage(exc.args[0]) from None


def _figure(args, r, fixed):
    from .plot import closed_form_vs_numeric, limit_vs_full, result_parameters
    if args.limit:
        if r.limit is None:
            from derivations import registry
            have = [x.name for x in registry()[args.name].results() if x.limit is not None]
            raise _Usage(f"result {r.name!r} has no limit; --limit needs a regime result, valid choices: {have}")
        lims = r.limit if isinstance(r.limit, (list, tuple)) else [r.limit]
        k = args.element or 0
        if not 0 <= k < len(lims):
            raise _Usage(f"--element {k}: result {r.name!r} has {len(lims)} limits; valid choices: "
                         f"{list(range(len(lims)))}")
        lim = lims[k]
        if args.vs is not None and args.vs != str(lim.variable):
            raise _Usage(f"--vs {args.vs!r}: the limit of {r.name!r} moves {str(lim.variable)!r}; valid choices: "
                         f"[{str(lim.variable)!r}]")
        return limit_vs_full(r, tuple(args.range), fixed, element=args.element, points=args.points, seed=args.seed)
    if args.vs is None:
        raise _Usage(f"--vs is required; valid choices: {[str(s) for s in result_parameters(r, args.element)]}")
    return closed_form_vs_numeric(r, args.vs, tuple(args.range), fixed, points=args.points,
                                  numeric_points=args.numeric_points, seed=args.seed, log=args.log,
                                  element=args.element)


def _report(fig, out) -> None:
    data = fig.qsym_data
    fixed = ", ".join(f"{k}={v:.6g}" for k, v in data.fixed.items())
    print(f"fixed parameters: {fixed}", file=out)
    info = data.info
    if data.kind == "limit_vs_full":
        if info["exact"]:
            print(f"{info['regime']}: leading form exact (deviation below 1e-{info['dps'] - 15})", file=out)
        else:
            print(f"{info['regime']}: correction O({info['correction']}); slope observed {info['observed_slope']:.4g}, "
                  f"stated {info['stated_slope']:.4g}; rate vs correction {info['rate']:.4g}", file=out)
    elif info.get("max_rel_dev") is None:
        print("no numeric target: closed form only", file=out)
    else:
        n = len(data.curve("numeric").x)
        print(f"max relative deviation closed form vs numeric solver: {info['max_rel_dev']:.3e} ({n} points)", file=out)


def run_plot(args, out=None, err=None) -> int:
    """Run ``qsym plot`` with parsed ``args``; 0 on success, 2 on a bad argument.  Messages go
    to ``out`` / ``err`` (default: the current ``sys.stdout`` / ``sys.stderr``)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        fixed = _parse_set(args.set)
        r = _lookup(args.name, args.result)
        fig = _figure(args, r, fixed)
    except (_Usage, ValueError, TypeError) as exc:
        print(f"qsym plot: {exc}", file=err)
        return 2
    try:
        fig.savefig(args.out, dpi=120)
    except (OSError, ValueError) as exc:
        print(f"qsym plot: cannot write {args.out!r}: {exc}", file=err)
        return 2
    finally:
        import matplotlib.pyplot as plt
        plt.close(fig)
    _report(fig, out)
    print(f"wrote {args.out}", file=out)
    return 0


def main(argv=None) -> int:
    """Stand-alone entry (``python -m qsym.plot_cli plot ...``) until ``qsym`` registers it."""
    import argparse
    p = argparse.ArgumentParser(prog="qsym")
    add_plot_parser(p.add_subparsers(dest="cmd", required=True))
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
