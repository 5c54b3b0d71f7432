"""scikit-learn's MLP with its defaults, behind a StandardScaler, on the splits the .NET protocol wrote out.

MLPRegressor does not scale its target; at its default 200 iterations it does not reach the mean of a target in the
hundreds (diabetes: R² below 0), so for regression the target is standardised too (TransformedTargetRegressor), the
stronger of the two to compare against.

Usage: sklearn_mlp.py DIRECTORY NAME TASK SPLITS   (TASK: Binary, Multiclass or Regression)
Reads DIRECTORY/NAME-SPLIT-{train,test}.csv (label first, then the features; no header) and prints one JSON line per
split: {"split", "metric", "seconds"}.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

directory, name, task, splits = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
warnings.filterwarnings("ignore", category=ConvergenceWarning)
for split in range(splits):
    train = np.loadtxt(f"{directory}/{name}-{split}-train.csv", delimiter=",", ndmin=2)
    test = np.loadtxt(f"{directory}/{name}-{split}-test.csv", delimiter=",", ndmin=2)
    if task == "Regression":
        model = TransformedTargetRegressor(make_pipeline(StandardScaler(), MLPRegressor(random_state=0)), transformer=StandardScaler())
    else:
        model = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
    start = time.perf_counter()
    model.fit(train[:, 1:], train[:, 0])
    seconds = time.perf_counter() - start
    x, y = test[:, 1:], test[:, 0]
    if task == "Binary":
        metric = roc_auc_score(y, model.predict_proba(x)[:, 1])
    elif task == "Multiclass":
        metric = accuracy_score(y, model.predict(x))
    else:
        metric = r2_score(y, model.predict(x))
    print(json.dumps({"split": split, "metric": float(metric), "seconds": seconds}), flush=True)
