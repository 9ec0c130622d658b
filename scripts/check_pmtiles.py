#!/usr/bin/env python3
"""Read a gapmap PMTiles archive with the independent `pmtiles` PyPI reader and check that its
tiles equal the tiles gapmap serves (dumped as DUMP_DIR/z/x/y.mvt by examples/tile_bench.rs).

    pip install pmtiles
    python3 scripts/check_pmtiles.py /tmp/england_lsoa11.pmtiles /tmp/england_dump
"""
import gzip
import json
import pathlib
import sys

from pmtiles.reader import MmapSource, Reader


def main() -> int:
    archive, dump = sys.argv[1], pathlib.Path(sys.argv[2])
    with open(archive, "rb") as f:
        reader = Reader(MmapSource(f))
        header = reader.header()
        meta = reader.metadata()
        print("header:", {k: header[k] for k in ("min_zoom", "max_zoom", "clustered",
                                                  "addressed_tiles_count", "tile_compression")})
        print("vector_layers:", json.dumps([l["id"] for l in meta["vector_layers"]]))
        checked = mismatched = 0
        for path in sorted(dump.glob("*/*/*.mvt")):
            z, x, y = int(path.parts[-3]), int(path.parts[-2]), int(path.stem)
            data = reader.get(z, x, y)
            if data is None or gzip.decompress(data) != path.read_bytes():
                mismatched += 1
                print(f"MISMATCH {z}/{x}/{y}")
            checked += 1
    print(f"{checked - mismatched} passed, {mismatched} failed")
    return 1 if mismatched or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
