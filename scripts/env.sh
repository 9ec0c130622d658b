# Shared build settings for gapmap's scripts: keep the Cargo target directory outside the
# checkout so a fresh clone (and CI) reuses earlier builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gapmap/target}"
export PATH="$HOME/.cargo/bin:$PATH"
GAPMAP_BIN="$CARGO_TARGET_DIR/release/gapmap"
export GAPMAP_BIN
