#!/usr/bin/env python3
"""Headline gaps for the Durham demo indicators (SYNTHETIC data) as a Markdown table.

Each row is `gapmap gaps --indicator ID --by local-quintile --format json`: most vs least
deprived local IMD 2019 quintile with 95% CIs, the absolute and relative gap, SII and RII.
Usage: scripts/headline_gaps.py GAPMAP_BINARY [extra gapmap args, e.g. --config data/durham.toml]
"""
import json, subprocess, sys

binary, extra = sys.argv[1], sys.argv[2:]


def ci(e, d=1):
    if not e:
        return "withheld"
    return f"{e['value']:.{d}f} ({e['lower95']:.{d}f} to {e['upper95']:.{d}f})"


def group(g):
    if g.get("value") is None:
        return "withheld*"
    return f"{g['value']:.1f} ({g['lower95']:.1f}–{g['upper95']:.1f})"


print("**Synthetic demonstration data, not official statistics.** County Durham MSOAs (2011) by local "
      "IMD 2019 quintile; 95% CIs; SII/RII from 100,000 Monte Carlo replicates (fixed seed).\n")
print("| Indicator | Q1 most deprived % | Q5 least deprived % | Gap Q1−Q5, pts | Ratio Q1/Q5 | SII, pts | RII |")
print("|---|---|---|---|---|---|---|")
for indicator in ["990001", "990002", "990005", "990003", "990004"]:
    out = subprocess.run([binary, "gaps", "--quiet", *extra, "--indicator", indicator, "--by", "local-quintile",
                          "--format", "json"], check=True, capture_output=True, text=True).stdout
    t = json.loads(out)
    most = next(g for g in t["groups"] if "most" in g["label"])
    least = next(g for g in t["groups"] if "least" in g["label"])
    s = t["summary"]
    print(f"| {t['indicator']['short_name']} | {group(most)} | {group(least)} | {ci(s.get('absolute_gap'))} "
          f"| {ci(s.get('relative_gap'), 2)} | {ci(s.get('sii'))} | {ci(s.get('rii'), 2)} |")
print("\n\\* withheld by the small-number rule: the public table is audited together with every other "
      "published table (by area, decile, quintile, locality), and these totals would let a count of 1–4 "
      "be derived.")
print("\nPositive SII = the most deprived are worse off (breastfeeding is higher-is-better, so its SII is "
      "least − most deprived and its RII least/most).")
