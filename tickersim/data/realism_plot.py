"""The realism report's picture: four panels comparing tickersim's daily returns with the
S&P 500's and the NASDAQ's (matplotlib, a dev dependency, drawn without a display)."""
import statistics

from tickersim.data import stylized

_LAGS = range(1, 101)
_WINDOW = 21


def _standardized(r):
    import numpy
    r = numpy.asarray(r, dtype=float)
    return (r - r.mean()) / r.std()


def plot(sim, actual, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy

    first = next(iter(sim))
    series = {f"tickersim {first}": sim[first], **actual}
    fig, ((hist, acfs), (qq, vol)) = plt.subplots(2, 2, figsize=(12, 8))

    bins = numpy.linspace(-10, 10, 81)
    centres = (bins[1:] + bins[:-1]) / 2
    for name, r in series.items():
        density, _ = numpy.histogram(_standardized(r), bins=bins, density=True)
        hist.semilogy(centres, numpy.where(density > 0, density, numpy.nan), ".-", label=name)
    hist.semilogy(centres, numpy.exp(-centres ** 2 / 2) / numpy.sqrt(2 * numpy.pi), "k--",
                  label="normal")
    hist.set(title="daily returns (standardized), log density", xlabel="sd", ylim=(1e-5, 1))
    hist.legend(fontsize=8)

    median = [statistics.median(stylized.acf(numpy.abs(r), k) for r in sim.values())
              for k in _LAGS]
    acfs.plot(list(_LAGS), median, label=f"tickersim |r| (median of {len(sim)})")
    for name, r in actual.items():
        acfs.plot(list(_LAGS), [stylized.acf(numpy.abs(r), k) for k in _LAGS], label=f"{name} |r|")
    for name, r in series.items():
        acfs.plot(list(_LAGS), [stylized.acf(r, k) for k in _LAGS], ":", label=f"{name} r")
    acfs.axhline(0, color="k", lw=0.5)
    acfs.set(title="autocorrelation of |r| (solid) and r (dotted)", xlabel="lag (days)")
    acfs.legend(fontsize=8)

    normal = statistics.NormalDist()
    for name, r in series.items():
        ordered = numpy.sort(_standardized(r))
        theory = [normal.inv_cdf((k + 0.5) / len(ordered)) for k in range(len(ordered))]
        qq.plot(theory, ordered, ".", ms=2, label=name)
    qq.plot([-4, 4], [-4, 4], "k--", lw=0.8)
    qq.set(title="QQ plot against the normal", xlabel="normal quantile",
           ylabel="standardized return")
    qq.legend(fontsize=8)

    for name, r in series.items():
        r = numpy.asarray(r)
        rolling = numpy.sqrt(numpy.convolve(r ** 2, numpy.ones(_WINDOW) / _WINDOW, "valid")
                             * stylized.TRADING_DAYS)
        vol.plot(rolling, lw=0.7, label=name)
    vol.set(title=f"rolling {_WINDOW}-day volatility (annualized)", xlabel="session")
    vol.legend(fontsize=8)

    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
