#!/usr/bin/env python3
"""scikit-learn / numpy side of `wavlens bench analysis`.

Usage:
    wavlens bench analysis --data DIR --json      # writes DIR/*.npy and DIR/wavlens_results.json
    python3 bench/sklearn_analysis.py DIR         # same problems in sklearn/numpy, ratios side by side

Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn; run it with /usr/bin/python3 if
another python3 comes first on PATH). Not part of CI.
Each problem runs in its own child process so its peak memory can be reported on its own.
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np


def kmeans(data_dir, seeds=1):
    from sklearn.cluster import KMeans, kmeans_plusplus
    x = np.load(os.path.join(data_dir, "kmeans_X.npy"))
    result = {"kmeans_seed_inertias": [], "kmeans_seed_seconds": []}
    for seed in range(seeds):
        start = time.perf_counter()
        model = KMeans(n_clusters=100, init="k-means++", n_init=1, max_iter=100, tol=0.0,
                       algorithm="lloyd", random_state=seed).fit(x)
        result["kmeans_seed_seconds"].append(time.perf_counter() - start)
        result["kmeans_seed_inertias"].append(float(model.inertia_))
        if seed == 0:
            seconds = result["kmeans_seed_seconds"][0]
            start = time.perf_counter()
            kmeans_plusplus(x, 100, random_state=0)
            seeding = time.perf_counter() - start
            result.update({"kmeans_seconds": seconds, "kmeans_seeding_seconds": seeding, "kmeans_iterations": int(model.n_iter_),
                           "kmeans_seconds_per_iteration": (seconds - seeding) / model.n_iter_, "kmeans_inertia": float(model.inertia_)})
    return result


def linear_cka(x, y):
    """Kornblith et al. 2019, feature space; debiased form of Song et al. 2012 (see testdata README)."""
    n = x.shape[0]
    x = x - x.mean(axis=0, keepdims=True)
    y = y - y.mean(axis=0, keepdims=True)
    xy = np.linalg.norm(x.T @ y) ** 2
    xx = np.linalg.norm(x.T @ x)
    yy = np.linalg.norm(y.T @ y)
    rx = np.einsum("ij,ij->i", x, x).astype(np.float64)
    ry = np.einsum("ij,ij->i", y, y).astype(np.float64)

    def h(cross_sq, ra, rb):
        return cross_sq - n / (n - 2) * (ra @ rb) + ra.sum() * rb.sum() / ((n - 1) * (n - 2))

    debiased = h(xy, rx, ry) / np.sqrt(h(xx ** 2, rx, rx) * h(yy ** 2, ry, ry))
    return float(xy / (xx * yy)), float(debiased)


def cka(data_dir):
    a = np.load(os.path.join(data_dir, "cka_A.npy"))
    b = np.load(os.path.join(data_dir, "cka_B.npy"))
    start = time.perf_counter()
    value, debiased = linear_cka(a, b)
    return {"cka_seconds": time.perf_counter() - start, "cka": value, "cka_debiased": debiased}


def labels(data_dir):
    from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score
    l = np.load(os.path.join(data_dir, "labels.npy"))
    c = np.load(os.path.join(data_dir, "clusters.npy"))
    start = time.perf_counter()
    nmi = normalized_mutual_info_score(l, c)
    nmi_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ami = adjusted_mutual_info_score(l, c)
    return {"nmi_seconds": nmi_seconds, "ami_seconds": time.perf_counter() - start, "nmi": float(nmi), "ami": float(ami)}


PARTS = {"kmeans": kmeans, "cka": cka, "labels": labels}
WAVLENS = os.environ.get("WAVLENS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "wavlens"))


def whole_process(command):
    """Wall seconds and peak RSS (MB) of one child process, start-up and loading included."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(command)}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def cka_process(data_dir):
    """numpy's whole process for one CKA: start python, load both .npy files, compute (the script's cka part)."""
    a = np.load(os.path.join(data_dir, "cka_A.npy"))
    b = np.load(os.path.join(data_dir, "cka_B.npy"))
    return {"cka": linear_cka(a, b)[0]}


def kmeans_process(data_dir):
    from sklearn.cluster import KMeans
    x = np.load(os.path.join(data_dir, "kmeans_X.npy"))
    model = KMeans(n_clusters=100, init="k-means++", n_init=1, max_iter=100, tol=0.0, algorithm="lloyd", random_state=0).fit(x)
    return {"kmeans_inertia": float(model.inertia_)}


PROCESS_PARTS = {"cka-process": cka_process, "kmeans-process": kmeans_process}


def process_rows(data_dir, ours):
    """Whole-process time and peak RSS, numpy/sklearn against `wavlens cka` / `wavlens kmeans` on the same files."""
    rows = []
    if os.path.exists(os.path.join(data_dir, "cka_A.npy")):
        theirs = whole_process([sys.executable, __file__, "--part", "cka-process", data_dir])
        mine = whole_process([WAVLENS, "cka", "--a", os.path.join(data_dir, "cka_A.npy"), "--b", os.path.join(data_dir, "cka_B.npy")])
        rows.append(("cka whole process", theirs, mine))
    if os.path.exists(os.path.join(data_dir, "kmeans_X.npy")) and os.environ.get("KMEANS_PROCESS", "1") == "1":
        theirs = whole_process([sys.executable, __file__, "--part", "kmeans-process", data_dir])
        out = os.path.join(data_dir, "kmeans_out")
        mine = whole_process([WAVLENS, "kmeans", "--input", os.path.join(data_dir, "kmeans_X.npy"), "--k", "100", "--seed", "0",
                              "--max-iter", "100", "--tol", "0", "--out", out])
        rows.append(("kmeans whole process", theirs, mine))
    return rows


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "--part":
        part = sys.argv[2]
        if part in PROCESS_PARTS:
            print(json.dumps(PROCESS_PARTS[part](sys.argv[3])))
            return
        result = PARTS[part](sys.argv[3], int(sys.argv[4])) if part == "kmeans" else PARTS[part](sys.argv[3])
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data_dir = sys.argv[1]
    with open(os.path.join(data_dir, "wavlens_results.json")) as f:
        ours = json.load(f)
    theirs = {}
    parts = [p for p in PARTS if os.path.exists(os.path.join(data_dir, {"kmeans": "kmeans_X.npy", "cka": "cka_A.npy", "labels": "labels.npy"}[p]))]
    for part in parts:
        extra = [str(len(ours.get("kmeans_seed_inertias", [0])))] if part == "kmeans" else []
        out = subprocess.run([sys.executable, __file__, "--part", part, data_dir] + extra, check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        result = json.loads(out)
        theirs[part + "_peak_rss_mb"] = result.pop("peak_rss_mb")
        theirs.update(result)

    print(f"{'measure':32s} {'sklearn/numpy':>14s} {'wavlens':>14s} {'ratio':>8s}")
    for key in ["kmeans_seconds", "kmeans_seeding_seconds", "kmeans_seconds_per_iteration", "kmeans_iterations",
                "kmeans_inertia", "cka_seconds", "cka", "cka_debiased", "nmi_seconds", "ami_seconds", "nmi", "ami"]:
        a, b = theirs.get(key), ours.get(key)
        if a is None or b is None:
            continue
        ratio = f"{a / b:8.2f}" if key.endswith("seconds") or key.endswith("iteration") else ""
        print(f"{key:32s} {a:14.6g} {b:14.6g} {ratio}")
    print("(ratio = sklearn time / wavlens time; > 1 means wavlens is faster)")
    for seed, (a, b) in enumerate(zip(theirs.get("kmeans_seed_inertias", []), ours.get("kmeans_seed_inertias", []))):
        print(f"k-means seed {seed}: inertia sklearn {a:.9g}, wavlens {b:.9g} ({100 * (b - a) / a:+.3f} %)")
    for part in parts:
        print(f"sklearn peak RSS, {part}: {theirs[part + '_peak_rss_mb']:.0f} MB (wavlens bench process, all parts: {ours.get('peak_rss_mb', -1):.0f} MB)")
    for name, (t_s, rss_s, _), (t_w, rss_w, _) in process_rows(data_dir, ours):
        print(f"{name}: numpy/sklearn {t_s:.2f} s, {rss_s:.0f} MB peak; wavlens {t_w:.2f} s, {rss_w:.0f} MB peak; ratio {t_s / t_w:.2f}")
    print(json.dumps({"sklearn": theirs, "wavlens": ours}))


if __name__ == "__main__":
    main()
