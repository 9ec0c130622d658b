"""Solve gapmap's written placement instances with spopt (PuLP + CBC) and compare objectives.

Usage: compare_spopt.py RESULTS.json
RESULTS.json lists runs: {"dir", "model", "k", "radius", "gapmap_objective", "gapmap_ms"}.
Each dir holds demand.csv (id,x,y,weight,imd_quintile), candidates.csv and existing.csv
(id,x,y) written by `gapmap place --write-instance`. Prints one line per run and exits 1 when
any pair of objectives differs by more than 1e-9 relative.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
import pulp
from scipy.spatial.distance import cdist
from spopt.locate import MCLP, PMedian


def load(directory):
    demand = pd.read_csv(f"{directory}/demand.csv", dtype={"id": str, "x": float, "y": float})
    existing = pd.read_csv(f"{directory}/existing.csv", dtype={"id": str, "x": float, "y": float})
    candidates = pd.read_csv(f"{directory}/candidates.csv", dtype={"id": str, "x": float, "y": float})
    sites = pd.concat([existing, candidates], ignore_index=True)
    cost = cdist(demand[["x", "y"]].to_numpy(), sites[["x", "y"]].to_numpy(), "euclidean")
    predefined = np.array([1] * len(existing) + [0] * len(candidates))
    return demand["weight"].to_numpy(), cost, predefined, len(existing)


def solve(run):
    weights, cost, predefined, n_existing = load(run["dir"])
    p = n_existing + run["k"]
    started = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False)
    if run["model"] == "mclp":
        model = MCLP.from_cost_matrix(cost, weights, run["radius"], p, predefined_facilities_arr=predefined)
    else:
        model = PMedian.from_cost_matrix(cost, weights, p, predefined_facilities_arr=predefined)
    model = model.solve(solver)
    seconds = time.perf_counter() - started
    return pulp.value(model.problem.objective), seconds, pulp.LpStatus[model.problem.status]


def main():
    runs = json.load(open(sys.argv[1]))
    print(f"{'model':<9} {'radius':>6} {'k':>2}  {'gapmap objective':>20} {'spopt objective':>20}  {'equal':<5} {'gapmap s':>9} {'spopt s':>8}  spopt status")
    all_equal = True
    for run in runs:
        objective, seconds, status = solve(run)
        a, b = run["gapmap_objective"], objective
        equal = abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)
        all_equal &= equal
        print(
            f"{run['model']:<9} {run['radius']:>6} {run['k']:>2}  {a:>20.6f} {b:>20.6f}  {'yes' if equal else 'NO':<5} "
            f"{run['gapmap_ms'] / 1000:>9.3f} {seconds:>8.3f}  {status}"
        )
    sys.exit(0 if all_equal else 1)


if __name__ == "__main__":
    main()
