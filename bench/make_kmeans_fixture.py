#!/usr/bin/env python3
"""Writes core/src/test/resources/kmeans/sklearn_lloyd.json: scikit-learn's Lloyd k-means from its own
k-means++ start on a small overlapping mixture (float32), for KMeansTest to match from the same start.

    /usr/bin/python3 bench/make_kmeans_fixture.py core/src/test/resources/kmeans/sklearn_lloyd.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.cluster import KMeans, kmeans_plusplus

rng = np.random.default_rng(7)
n, d, k = 600, 8, 6
centres = rng.normal(0, 1.2, size=(5, d))
x = (centres[rng.integers(0, 5, n)] + rng.normal(0, 1, size=(n, d))).astype(np.float32)
init, _ = kmeans_plusplus(x, k, random_state=3)
model = KMeans(n_clusters=k, init=init, n_init=1, max_iter=100, tol=0.0, algorithm="lloyd").fit(x)
x64 = x.astype(np.float64)
exact = float(((x64 - model.cluster_centers_.astype(np.float64)[model.labels_]) ** 2).sum())
json.dump({"sklearn": sklearn.__version__, "n": n, "d": d, "k": k, "X": x.tolist(), "init": init.tolist(),
           "labels": model.labels_.tolist(), "centers": model.cluster_centers_.tolist(), "n_iter": int(model.n_iter_),
           "inertia": exact}, open(sys.argv[1], "w"))
