#!/usr/bin/env python3
"""scikit-learn's Barnes-Hut TSNE on the data sets written by `wavlens bench project`.

Usage: /usr/bin/python3 bench/sklearn_tsne.py [OUT_DIR]   (default: bench-project)
(Debian's python3, where python3-sklearn is installed; a pyenv python3 earlier on PATH lacks it.)

Reads OUT_DIR/java_results.json and the .npy sets beside it, runs
sklearn.manifold.TSNE(perplexity=30, init="pca", learning_rate="auto", n_iter=1000,
method="barnes_hut", n_jobs=2, random_state=0) on every set the Java run embedded with t-SNE,
and prints seconds and trustworthiness (k = 10) side by side with the Java numbers and the
time ratio. Also recomputes the Java embedding's trustworthiness with sklearn's own function
(n <= 20,000) as a cross-check of wavlens' implementation.

Needs python3-sklearn (Debian); not part of CI.
"""
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.manifold import TSNE, trustworthiness

K = 10
EXACT_MAX_N = 20_000
SAMPLE_QUERIES = 5_000


def sampled_trustworthiness(X, Y, k, queries, seed=0):
    """Same formula as sklearn's, with the sum over i taken over a random sample of query
    points and scaled by n / sample size (sklearn's own function needs n x n memory)."""
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=queries, replace=False))
    X = X.astype(np.float64)
    Y = Y.astype(np.float64)
    sq_x = (X * X).sum(1)
    sq_y = (Y * Y).sum(1)
    total = 0.0
    for start in range(0, queries, 256):
        q = idx[start:start + 256]
        dx = sq_x[q, None] + sq_x[None, :] - 2 * X[q] @ X.T
        dy = sq_y[q, None] + sq_y[None, :] - 2 * Y[q] @ Y.T
        rows = np.arange(len(q))
        dx[rows, q] = np.inf
        dy[rows, q] = np.inf
        nn_y = np.argpartition(dy, k, axis=1)[:, :k]
        for r in range(len(q)):
            thresholds = dx[r, nn_y[r]]
            ranks = 1 + (dx[r][None, :] < thresholds[:, None]).sum(1)
            total += np.maximum(ranks - k, 0).sum()
    total *= n / queries
    return 1.0 - total * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


def trust(X, Y):
    if X.shape[0] <= EXACT_MAX_N:
        return trustworthiness(X, Y, n_neighbors=K), ""
    return sampled_trustworthiness(X, Y, K, SAMPLE_QUERIES), " (sampled)"


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "bench-project"
    with open(os.path.join(out_dir, "java_results.json")) as f:
        java = json.load(f)
    print(f"scikit-learn {sklearn.__version__}, Barnes-Hut TSNE, n_jobs=2")
    header = f"{'set':<20} {'n':>6} {'java s':>8} {'sklearn s':>10} {'speed-up':>9} {'java T':>8} {'sklearn T':>10}  {'java T by sklearn':>17}"
    print(header)
    results = []
    for run in java["runs"]:
        if run["method"] != "tsne":
            continue
        name = run["set"]
        X = np.load(os.path.join(out_dir, name + ".npy"))
        start = time.time()
        Y = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", n_iter=1000,
                 method="barnes_hut", n_jobs=2, random_state=0).fit_transform(X)
        seconds = time.time() - start
        t_sklearn, note = trust(X, Y)
        check = ""
        java_y_path = os.path.join(out_dir, name + "_tsne_java.npy")
        if X.shape[0] <= EXACT_MAX_N and os.path.exists(java_y_path):
            check = f"{trustworthiness(X, np.load(java_y_path), n_neighbors=K):.4f}"
        print(f"{name:<20} {X.shape[0]:>6} {run['seconds']:>8.2f} {seconds:>10.2f} {seconds / run['seconds']:>8.1f}x "
              f"{run['trustworthiness']:>8.4f} {t_sklearn:>10.4f}{note}  {check:>17}", flush=True)
        results.append({"set": name, "n": int(X.shape[0]), "java_seconds": run["seconds"], "sklearn_seconds": seconds,
                        "speedup": seconds / run["seconds"], "java_trustworthiness": run["trustworthiness"],
                        "sklearn_trustworthiness": t_sklearn, "java_trustworthiness_by_sklearn": check or None})
    with open(os.path.join(out_dir, "sklearn_results.json"), "w") as f:
        json.dump({"sklearn": sklearn.__version__, "runs": results}, f, indent=2)


if __name__ == "__main__":
    main()
