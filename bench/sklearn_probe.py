#!/usr/bin/env python3
"""scikit-learn reference for `wavlens bench probe`.

Fits sklearn's LogisticRegression (multinomial, lbfgs, C=1, max_iter=200) on exactly the rows,
labels and train/test split that `wavlens bench probe --data DIR` wrote, standardised the same way
(StandardScaler on the training rows), and prints fit time, held-out accuracy and the time ratio
against the Java run recorded in DIR/java_result.json.

Needs numpy and scikit-learn (Debian: apt-get install python3-sklearn); not part of CI.

    wavlens bench probe --data /tmp/probe
    /usr/bin/python3 bench/sklearn_probe.py --data /tmp/probe
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder written by `wavlens bench probe --data`")
    ap.add_argument("--max-iter", type=int, default=200)
    args = ap.parse_args()

    x = np.load(os.path.join(args.data, "x.npy"))
    labels = np.load(os.path.join(args.data, "labels.npy"))
    is_test = np.load(os.path.join(args.data, "is_test.npy")).astype(bool)
    x_train, y_train = x[~is_test], labels[~is_test]
    x_test, y_test = x[is_test], labels[is_test]

    # CPU seconds of the process (all threads) besides wall time, as the Java side reports.
    cpu0, t0 = time.process_time(), time.perf_counter()
    scaler = StandardScaler().fit(x_train)
    model = LogisticRegression(multi_class="multinomial", solver="lbfgs", C=1.0, max_iter=args.max_iter)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(scaler.transform(x_train), y_train)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - cpu0
    accuracy = float((model.predict(scaler.transform(x_test)) == y_test).mean())

    print(f"sklearn {sklearn.__version__}: {x_train.shape[0]} train x {x.shape[1]} features, "
          f"{len(model.classes_)} classes, {int(model.n_iter_[0])} iterations")
    print(f"fit {seconds:.2f} s ({cpu_seconds:.2f} CPU s), held-out accuracy {accuracy:.4f}")
    result = {"sklearn_version": sklearn.__version__, "iterations": int(model.n_iter_[0]),
              "fit_seconds": seconds, "fit_cpu_seconds": cpu_seconds, "test_accuracy": accuracy}
    java_file = os.path.join(args.data, "java_result.json")
    if os.path.exists(java_file):
        with open(java_file) as f:
            java = json.load(f)
        ratio = seconds / java["fit_seconds"]
        cpu_ratio = cpu_seconds / java["fit_cpu_seconds"]
        print(f"wavlens fit {java['fit_seconds']:.2f} s ({java['fit_cpu_seconds']:.2f} CPU s, {java['iterations']} iterations), "
              f"held-out accuracy {java['test_accuracy']:.4f}")
        print(f"sklearn / wavlens: wall time {ratio:.2f}x, CPU time {cpu_ratio:.2f}x")
        result["wavlens_fit_seconds"] = java["fit_seconds"]
        result["wavlens_fit_cpu_seconds"] = java["fit_cpu_seconds"]
        result["cpu_ratio_sklearn_over_wavlens"] = cpu_ratio
        result["wavlens_test_accuracy"] = java["test_accuracy"]
        result["time_ratio_sklearn_over_wavlens"] = ratio
    print(json.dumps(result))


if __name__ == "__main__":
    main()
