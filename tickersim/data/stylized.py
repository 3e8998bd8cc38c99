"""The stylized facts of daily returns, for tickersim's history and real indices alike.

numpy only (operator tooling): the facts issue 23 sets goals for, computed one way for both
sides of the realism report so that the comparison is like for like.
"""
import math

import numpy

LAGS = (1, 5, 20, 50, 100)
TAIL_SD = 4.0
MONTH = 21
TRADING_DAYS = 252


def log_returns(closes):
    closes = numpy.asarray(closes, dtype=float)
    return numpy.diff(numpy.log(closes))


def acf(x, lag):
    x = numpy.asarray(x, dtype=float) - numpy.mean(x)
    return float(numpy.dot(x[:-lag], x[lag:]) / numpy.dot(x, x))


def excess_kurtosis(r):
    r = numpy.asarray(r, dtype=float) - numpy.mean(r)
    return float(numpy.mean(r ** 4) / numpy.mean(r ** 2) ** 2 - 3.0)


def facts(r):
    """{fact: value} of one series of daily log-returns."""
    r = numpy.asarray(r, dtype=float)
    sd = numpy.std(r)
    absolute = numpy.abs(r)
    months = r[:len(r) // MONTH * MONTH].reshape(-1, MONTH).sum(axis=1)
    out = {
        "days": len(r),
        "excess kurtosis": excess_kurtosis(r),
        "days beyond 4 sd (%)": 100.0 * float(numpy.mean(numpy.abs(r - r.mean()) > TAIL_SD * sd)),
        "max |acf(r)| lags 1-10": max(abs(acf(r, k)) for k in range(1, 11)),
        "corr(r_t, |r_t+1|)": float(numpy.corrcoef(r[:-1], absolute[1:])[0, 1]),
        "annual volatility": float(sd * math.sqrt(TRADING_DAYS)),
        "monthly excess kurtosis": excess_kurtosis(months),
    }
    for lag in LAGS:
        out[f"acf(|r|) lag {lag}"] = acf(absolute, lag)
    return out


def mean_correlation(series):
    """Mean pairwise correlation of equally long return series."""
    matrix = numpy.corrcoef(numpy.vstack(series))
    upper = matrix[numpy.triu_indices(len(series), k=1)]
    return float(upper.mean())
