"""Inference for the book's comparisons: wild cluster bootstrap intervals, the four-word verdict
with an equivalence test, and multiplicity adjustment.

The verdict (one rule for the whole book, :func:`verdict`), given the estimate's 95 % and 90 %
intervals and a smallest effect of interest ``delta`` (> 0):

* **no meaningful difference** if the 90 % interval lies inside (-delta, +delta): both one-sided
  tests at 5 % reject an effect as large as delta (two one-sided tests, TOST). This is checked
  first, so a difference that is detectably non-zero but smaller than delta is called what it is;
* **supported** if the 95 % interval lies wholly on the side the claim predicts;
* **contradicted** if it lies wholly on the other side;
* **inconclusive** otherwise: the data cannot tell a difference of delta from none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chsreport import settings

VERDICTS = ("supported", "contradicted", "no meaningful difference", "inconclusive")


@dataclass(frozen=True)
class Interval:
    estimate: float
    se: float
    low95: float
    high95: float
    low90: float
    high90: float
    p_value: float
    clusters: int
    observations: int
    method: str


WILD_REPLICATIONS = 999  # wild cluster bootstrap draws (an odd count: percentiles fall on draws)


def _crv1(X: np.ndarray, resid: np.ndarray, clusters: np.ndarray, bread: np.ndarray, j: int):
    """Cluster-robust (CR1) standard error of coefficient j."""
    n, k = X.shape
    groups = np.unique(clusters)
    g = len(groups)
    scores = np.zeros((g, k))
    for i, c in enumerate(groups):
        m = clusters == c
        scores[i] = X[m].T @ resid[m]
    meat = scores.T @ scores
    v = bread @ meat @ bread
    factor = g / (g - 1) * (n - 1) / (n - k)
    return float(np.sqrt(factor * v[j, j]))


WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def _draws(g: int, reps: int, weights: str, seed: int) -> np.ndarray:
    """Cluster weights, one row per replication: Webb six-point, Rademacher, or every one of
    the 2^g Rademacher sign vectors ("rademacher-all", exact for few clusters)."""
    if weights == "rademacher-all":
        if g > 16:
            raise ValueError("full enumeration needs 16 clusters or fewer")
        codes = np.arange(2**g)[:, None] >> np.arange(g)[None, :] & 1
        return 2.0 * codes - 1.0
    rng = np.random.default_rng(seed)
    values = WEBB if weights == "webb" else np.array([-1.0, 1.0])
    return rng.choice(values, size=(reps, g))


def wild_cluster_bootstrap(
    y: np.ndarray,
    X: np.ndarray,
    clusters: np.ndarray,
    j: int,
    reps: int = WILD_REPLICATIONS,
    seed: int = settings.SEED,
    weights: str = "webb",
) -> Interval:
    """OLS coefficient ``j`` with the restricted wild cluster bootstrap (WCR, as in Roodman et
    al.'s boottest): the p-value tests coefficient = 0 with the null imposed, and the 95 % and
    90 % intervals are the values not rejected at 5 % and 10 % (test inversion), all with CR1
    standard errors and the same draws. ``weights``: "webb" (six-point, for few clusters),
    "rademacher", or "rademacher-all" (every sign vector; exact, for at most 16 clusters).
    Long because the draws, the test inversion for both intervals and the p-value share one set
    of residuals; split, each part would recompute them.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    clusters = np.asarray(clusters)
    n, k = X.shape
    bread = np.linalg.pinv(X.T @ X)
    proj = bread @ X.T
    beta = proj @ y
    resid = y - X @ beta
    se = _crv1(X, resid, clusters, bread, j)
    groups, index = np.unique(clusters, return_inverse=True)
    g = len(groups)
    member = np.zeros((n, g))
    member[np.arange(n), index] = 1.0
    factor = g / (g - 1) * (n - 1) / (n - k)
    lever = X @ bread[j]  # se_j^2 = factor * sum_g (sum_{i in g} lever_i * r_i)^2
    draws = _draws(g, reps, weights, seed)[:, index]
    keep = [c for c in range(k) if c != j]
    others = X[:, keep]
    r0 = y - others @ (np.linalg.pinv(others.T @ others) @ (others.T @ y))  # restricted, b0 = 0
    m = X[:, j] - others @ (np.linalg.pinv(others.T @ others) @ (others.T @ X[:, j]))
    # Under H0: coefficient = b0, the restricted residuals are r0 - b0 * m, so every bootstrap
    # quantity is linear (numerator) or quadratic (variance) in b0: computed once, then any b0.
    parts = []
    for res in (r0, m):
        e = draws * res
        b_star = e @ proj.T
        r_star = e - b_star @ X.T
        parts.append((b_star[:, j], (r_star * lever) @ member))
    (a0, s0), (a1, s1) = parts
    c00, c01, c11 = (s0 * s0).sum(1), (s0 * s1).sum(1), (s1 * s1).sum(1)

    def p_at(b0: float) -> float:
        t_star = (a0 - b0 * a1) / np.sqrt(
            factor * np.maximum(c00 - 2 * b0 * c01 + b0 * b0 * c11, 1e-300)
        )
        return float(np.mean(np.abs(t_star) >= abs((beta[j] - b0) / se) - 1e-12))

    def bound(alpha: float, side: float) -> float:
        inside, step = beta[j], se
        outside = beta[j] + side * step
        while p_at(outside) >= alpha:
            inside, step = outside, step * 2
            outside = beta[j] + side * step
            if step > 1e6 * max(se, 1e-12):
                return float(side * np.inf)
        for _ in range(60):
            mid = (inside + outside) / 2
            if p_at(mid) >= alpha:
                inside = mid
            else:
                outside = mid
        return float(inside)

    label = "every sign vector" if weights == "rademacher-all" else f"{len(draws)} replications"
    return Interval(
        estimate=float(beta[j]),
        se=se,
        low95=bound(0.05, -1.0),
        high95=bound(0.05, 1.0),
        low90=bound(0.10, -1.0),
        high90=bound(0.10, 1.0),
        p_value=p_at(0.0),
        clusters=g,
        observations=n,
        method=f"wild cluster bootstrap, null imposed ({weights} weights, {label}, {g} clusters)",
    )


def cluster_robust(y: np.ndarray, X: np.ndarray, clusters: np.ndarray, j: int) -> Interval:
    """OLS coefficient ``j`` with CR1 standard errors and t(G-1) intervals (the usual
    analytic cluster-robust interval; no bootstrap)."""
    from scipy import stats

    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    bread = np.linalg.pinv(X.T @ X)
    beta = bread @ X.T @ y
    resid = y - X @ beta
    se = _crv1(X, resid, np.asarray(clusters), bread, j)
    g = len(np.unique(clusters))
    t95, t90 = stats.t.ppf(0.975, g - 1), stats.t.ppf(0.95, g - 1)
    p = 2 * stats.t.sf(abs(beta[j] / se), g - 1)
    return Interval(
        float(beta[j]),
        se,
        float(beta[j] - t95 * se),
        float(beta[j] + t95 * se),
        float(beta[j] - t90 * se),
        float(beta[j] + t90 * se),
        float(p),
        g,
        len(y),
        f"cluster-robust (CR1), t with {g - 1} degrees of freedom",
    )


def verdict(interval: Interval, delta: float, better: str) -> str:
    """The four-word verdict on a claim that group (a) does better, from the difference
    (a) minus comparison; ``better`` is "lower" or "higher" (see the module docstring)."""
    if not delta > 0:
        raise ValueError("the smallest effect of interest must be positive")
    if better not in ("lower", "higher"):
        raise ValueError("better must be 'lower' or 'higher'")
    if -delta < interval.low90 and interval.high90 < delta:
        return "no meaningful difference"
    sign = -1.0 if better == "lower" else 1.0
    low, high = sorted((sign * interval.low95, sign * interval.high95))
    if low > 0:
        return "supported"
    if high < 0:
        return "contradicted"
    return "inconclusive"


def adjust(p_values, method: str = "holm") -> np.ndarray:
    """Multiplicity-adjusted p-values: "holm" (family-wise) or "fdr_bh" (Benjamini-Hochberg)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out
