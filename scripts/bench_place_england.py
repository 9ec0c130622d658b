"""Baselines for the England placement benchmark, on an instance written by
`gapmap place --write-instance DIR` (demand.csv, candidates.csv, existing.csv; x,y in metres).

  bench_place_england.py textbook DIR K RADIUS TIME_LIMIT
      The textbook MCLP (one row y_i <= sum of x_j within RADIUS per demand point, sum x = K,
      binary x and y) in HiGHS (highspy) with default options, as a user would write it.
  bench_place_england.py spopt DIR K RADIUS
      spopt's MCLP (PuLP + CBC), as scripts/compare_spopt.py runs it.

Prints one JSON object: status, objective, bound (textbook), seconds (build + solve).
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree


def load(directory):
    demand = pd.read_csv(f"{directory}/demand.csv", dtype={"id": str, "x": float, "y": float})
    existing = pd.read_csv(f"{directory}/existing.csv", dtype={"id": str, "x": float, "y": float})
    candidates = pd.read_csv(f"{directory}/candidates.csv", dtype={"id": str, "x": float, "y": float})
    sites = pd.concat([existing, candidates], ignore_index=True)
    return demand, sites, len(existing)


def textbook(directory, k, radius, time_limit):
    import highspy

    started = time.perf_counter()
    demand, sites, n_existing = load(directory)
    tree = cKDTree(sites[["x", "y"]].to_numpy())
    points = demand[["x", "y"]].to_numpy()
    near = tree.query_ball_point(points, radius)
    n_sites, n_demand = len(sites), len(demand)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    inf = highspy.kHighsInf
    # Columns: x_j (sites) then y_i (demand), all binary.
    n = n_sites + n_demand
    cost = np.concatenate([np.zeros(n_sites), demand["weight"].to_numpy()])
    lower = np.zeros(n)
    upper = np.ones(n)
    lower[:n_existing] = 1.0
    h.addVars(n, lower, upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    starts, index, value = [], [], []
    for i, js in enumerate(near):
        # Exactly as spopt: covered when distance <= radius (cKDTree's ball is inclusive).
        starts.append(len(index))
        index.append(n_sites + i)
        value.append(1.0)
        for j in js:
            index.append(j)
            value.append(-1.0)
    h.addRows(n_demand, np.full(n_demand, -inf), np.zeros(n_demand), len(index),
              np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(value))
    h.addRow(float(n_existing + k), float(n_existing + k), n_sites,
             np.arange(n_sites, dtype=np.int32), np.ones(n_sites))
    h.run()
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "gap": info.mip_gap,
        "seconds": time.perf_counter() - started,
    }


def spopt(directory, k, radius):
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    started = time.perf_counter()
    demand, sites, n_existing = load(directory)
    cost = cdist(demand[["x", "y"]].to_numpy(), sites[["x", "y"]].to_numpy(), "euclidean")
    predefined = np.array([1] * n_existing + [0] * (len(sites) - n_existing))
    model = MCLP.from_cost_matrix(cost, demand["weight"].to_numpy(), radius, n_existing + k,
                                  predefined_facilities_arr=predefined if n_existing else None)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    return {
        "status": pulp.LpStatus[model.problem.status],
        "objective": pulp.value(model.problem.objective),
        "seconds": time.perf_counter() - started,
    }


if __name__ == "__main__":
    what, directory, k, radius = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    if what == "textbook":
        print(json.dumps(textbook(directory, k, radius, float(sys.argv[5]))))
    else:
        print(json.dumps(spopt(directory, k, radius)))
