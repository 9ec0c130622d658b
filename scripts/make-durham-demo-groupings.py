#!/usr/bin/env python3
"""Make the ILLUSTRATIVE Durham locality grouping and site list shipped in data/.

Neither file is the council's own: they exist so the map, gap tables and placement have
something realistic to show until the council supplies its grouping and site list.

Localities: four, echoing the Children and Young People's Strategy ("14 Families First teams
grouped into four localities"): Central = MSOAs whose ONS centroid lies within 9 km of
Durham city centre (BNG 427300, 542400); North = north of that; East = east of easting
436000 and north of northing 532000; South = the rest; then a few named MSOAs are moved to
follow the former districts (Derwentside and Chester-le-Street to North, Seaham to East,
Spennymoor to South).

Sites: one per listed town, at the live Code-Point Open postcode nearest to the centroid of
the named MSOA: a real postcode, an illustrative location.

Usage: python3 scripts/make-durham-demo-groupings.py ../shared/data
"""
import csv, gzip, json, math, sys

mirror = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
gj = json.load(open(f"{mirror}/boundaries/durham_msoa11.geojson"))
names = {r["MSOACD"]: r["MSOAHCLNM"] for r in csv.DictReader(open(f"{mirror}/lookups/msoa_names.csv"))}
MOVE = {
    "North": ["Chester-le-Street South & East", "Great Lumley & Bournmoor", "Bridgehill, Castleside & Harehope Hill",
              "Lanchester", "Langley Park & Satley"],
    "East": ["Seaham Northlea & Westlea"],
    "South": ["Tudhoe Grange"],
}
moved = {n: loc for loc, ns in MOVE.items() for n in ns}
rows, centroids = [], {}
for f in sorted(gj["features"], key=lambda f: f["properties"]["MSOA11CD"]):
    p = f["properties"]
    e, n = p["BNG_E"], p["BNG_N"]
    name = names.get(p["MSOA11CD"], p["MSOA11NM"])
    centroids[name] = (e, n)
    if math.hypot(e - 427300, n - 542400) < 9000:
        loc = "Central"
    elif n > 549000:
        loc = "North"
    elif e > 436000 and n > 532000:
        loc = "East"
    else:
        loc = "South"
    rows.append((p["MSOA11CD"], moved.get(name, loc), name))
with open("data/localities/durham_localities_illustrative.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["area_code", "locality", "area_name"])
    w.writerows(rows)

SITES = [  # (id, name, kind, MSOA name)
    ("FH01", "Chester-le-Street Family Hub", "family_hub", "Chester-le-Street Town & Pelton Fell"),
    ("FH02", "Stanley Family Hub", "family_hub", "Stanley South"),
    ("FH03", "Consett Family Hub", "family_hub", "Consett"),
    ("FH04", "Seaham Family Hub", "family_hub", "Seaham Central & South"),
    ("FH05", "Peterlee Family Hub", "family_hub", "Peterlee West"),
    ("FH06", "Durham City Family Hub", "family_hub", "Gilesgate & Old Durham"),
    ("FH07", "Spennymoor Family Hub", "family_hub", "Spennymoor West"),
    ("FH08", "Newton Aycliffe Family Hub", "family_hub", "Newton Aycliffe West"),
    ("FH09", "Bishop Auckland Family Hub", "family_hub", "Bishop Auckland Central & West"),
    ("FH10", "Crook Family Hub", "family_hub", "Crook South"),
    ("OR01", "Barnard Castle outreach", "outreach", "Barnard Castle"),
    ("OR02", "Stanhope outreach", "outreach", "Stanhope & Weardale"),
    ("OR03", "Shildon outreach", "outreach", "Shildon"),
    ("OR04", "Horden outreach", "outreach", "Horden"),
    ("OR05", "Ferryhill outreach", "outreach", "Ferryhill East & Cornforth"),
]
postcodes = []
for r in csv.DictReader(gzip.open(f"{mirror}/postcodes/codepoint_dh_dl_ne_sr_ts.csv.gz", "rt")):
    if r["Admin_district_code"] == "E06000047" and r["Positional_quality_indicator"] == "10":
        postcodes.append((r["Postcode"], float(r["Eastings"]), float(r["Northings"])))
with open("data/sites/durham_sites_illustrative.csv", "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "name", "kind", "postcode", "lon", "lat", "existing"])
    for sid, name, kind, msoa in SITES:
        e, n = centroids[msoa]
        pc = min(postcodes, key=lambda p: (p[1] - e) ** 2 + (p[2] - n) ** 2)[0]
        w.writerow([sid, name, kind, pc, "", "", "true"])
