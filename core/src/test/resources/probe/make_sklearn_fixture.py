#!/usr/bin/python3
"""Writes sklearn_small.json: a 3-class, 3-feature problem and scikit-learn's converged multinomial
LogisticRegression (C=1, lbfgs, tight tolerance) on its standardised features. Needs python3-sklearn.
Run from this folder: /usr/bin/python3 make_sklearn_fixture.py"""
import json
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

rng = np.random.default_rng(20230820)
n = 60
y = rng.integers(0, 3, n)
means = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, 0.5], [-0.5, -1.0, 0.0]])
x = (means[y] + rng.normal(size=(n, 3)) * np.array([1.0, 3.0, 0.5]) + np.array([10.0, -5.0, 0.0])).astype(np.float32)
z = StandardScaler().fit_transform(x.astype(np.float64))
model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0, tol=1e-12, max_iter=100000).fit(z, y)
p = model.predict_proba(z)
loss = -np.log(p[np.arange(n), y]).sum() + (model.coef_ ** 2).sum() / 2
json.dump({"sklearn_version": sklearn.__version__,
           "x": x.astype(float).tolist(), "y": y.tolist(),
           "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
           "loss": float(loss)}, open("sklearn_small.json", "w"), indent=1)
