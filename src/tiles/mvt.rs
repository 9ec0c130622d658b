//! Mapbox Vector Tile 2.1 encoder: one layer of polygon features per tile.
//!
//! # Why hand-written protobuf
//! The MVT schema (`vector_tile.proto`, MVT spec 2.1) has four messages and needs five wire
//! encodings (varint, zigzag, fixed64, length-delimited, packed). Writing them directly into
//! one buffer avoids building a `prost` message tree per tile (an allocation per feature and
//! per coordinate list) and keeps the dependency list short. It is ~150 lines and tested by
//! decoding with an independent decoder (geozero's prost-generated one) in the tile tests.
//!
//! # What goes in a feature
//! `id` = the area's index in its [`crate::dataset::Layer`] (stable per dataset), and static
//! properties only: `code`, `name`, `locality`, the native IMD edition's `imd_score`,
//! `imd_decile`, `imd_quintile`, `imd_local_quintile`, `imd_30pct` and `imd_edition`.
//!
//! **Indicator values are not in tiles.** The web map joins them with `feature-state`, keyed by
//! feature id / `code`, from the JSON values endpoint. Reasons:
//! * tiles depend only on the dataset's geometry and IMD, so they are immutable per dataset:
//!   long `Cache-Control`, a stable ETag, PMTiles on a CDN;
//! * switching indicator (or period) refetches one small JSON document, not every tile;
//! * confidence intervals, small-number suppression and significance are computed in one place
//!   (the API) and cannot drift between tiles and tables — and no count can leak via a tile.

use std::collections::HashMap;

/// MVT geometry command ids (spec 4.3.1).
const MOVE_TO: u32 = 1;
const LINE_TO: u32 = 2;
const CLOSE_PATH: u32 = 7;

/// Protobuf wire types.
const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn put_key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    put_varint(buf, u64::from((field << 3) | wire));
}

fn put_bytes(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_key(buf, field, LEN);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

fn put_packed(buf: &mut Vec<u8>, field: u32, values: &[u32], scratch: &mut Vec<u8>) {
    scratch.clear();
    for &v in values {
        put_varint(scratch, u64::from(v));
    }
    put_bytes(buf, field, scratch);
}

fn zigzag(v: i64) -> u32 {
    ((v << 1) ^ (v >> 63)) as u32
}

fn command(id: u32, count: u32) -> u32 {
    (id & 0x7) | (count << 3)
}

/// A property value as an encoded `Tile.Value` message (so values can be deduplicated by bytes).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EncodedValue(Vec<u8>);

impl EncodedValue {
    pub fn string(s: &str) -> Self {
        let mut b = Vec::with_capacity(s.len() + 2);
        put_bytes(&mut b, 1, s.as_bytes());
        EncodedValue(b)
    }
    pub fn double(v: f64) -> Self {
        let mut b = Vec::with_capacity(9);
        put_key(&mut b, 3, FIXED64);
        b.extend_from_slice(&v.to_le_bytes());
        EncodedValue(b)
    }
    pub fn uint(v: u64) -> Self {
        let mut b = Vec::with_capacity(4);
        put_key(&mut b, 5, VARINT);
        put_varint(&mut b, v);
        EncodedValue(b)
    }
    pub fn boolean(v: bool) -> Self {
        let mut b = Vec::with_capacity(2);
        put_key(&mut b, 7, VARINT);
        put_varint(&mut b, u64::from(v));
        EncodedValue(b)
    }
}

/// Encodes polygon rings into an MVT command stream (spec 4.3). Rings are open (no repeated
/// closing vertex) in tile coordinates, already oriented: exterior positive, holes negative.
#[derive(Default)]
pub struct GeometryEncoder {
    commands: Vec<u32>,
    cursor: [i64; 2],
}

impl GeometryEncoder {
    pub fn clear(&mut self) {
        self.commands.clear();
        self.cursor = [0, 0];
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    /// Append one ring (at least three vertices).
    pub fn ring(&mut self, ring: &[[i64; 2]]) {
        let Some((first, rest)) = ring.split_first() else {
            return;
        };
        self.commands.push(command(MOVE_TO, 1));
        self.delta(*first);
        self.commands.push(command(LINE_TO, rest.len() as u32));
        for p in rest {
            self.delta(*p);
        }
        self.commands.push(command(CLOSE_PATH, 1));
    }

    fn delta(&mut self, p: [i64; 2]) {
        self.commands.push(zigzag(p[0] - self.cursor[0]));
        self.commands.push(zigzag(p[1] - self.cursor[1]));
        self.cursor = p;
    }

    pub fn commands(&self) -> &[u32] {
        &self.commands
    }
}

/// Builds one `Tile` holding one layer.
pub struct LayerEncoder<'a> {
    name: &'a str,
    keys: &'a [&'a str],
    extent: u32,
    values: Vec<&'a EncodedValue>,
    value_index: HashMap<&'a EncodedValue, u32>,
    features: Vec<u8>,
    feature: Vec<u8>,
    tags: Vec<u32>,
    scratch: Vec<u8>,
}

impl<'a> LayerEncoder<'a> {
    pub fn new(name: &'a str, keys: &'a [&'a str], extent: u32) -> Self {
        LayerEncoder {
            name,
            keys,
            extent,
            values: Vec::new(),
            value_index: HashMap::new(),
            features: Vec::new(),
            feature: Vec::new(),
            tags: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Add a polygon feature. `properties` are (index into `keys`, value).
    pub fn add_polygon(
        &mut self,
        id: u64,
        properties: &'a [(u32, EncodedValue)],
        geometry: &[u32],
    ) {
        self.tags.clear();
        for (key, value) in properties {
            let next = self.values.len() as u32;
            let index = *self.value_index.entry(value).or_insert_with(|| next);
            if index == next {
                self.values.push(value);
            }
            self.tags.push(*key);
            self.tags.push(index);
        }
        self.feature.clear();
        put_key(&mut self.feature, 1, VARINT);
        put_varint(&mut self.feature, id);
        put_packed(&mut self.feature, 2, &self.tags, &mut self.scratch);
        put_key(&mut self.feature, 3, VARINT);
        put_varint(&mut self.feature, 3); // GeomType POLYGON
        put_packed(&mut self.feature, 4, geometry, &mut self.scratch);
        put_bytes(&mut self.features, 2, &self.feature);
    }

    /// The encoded `Tile` message.
    pub fn finish(self) -> Vec<u8> {
        let mut layer = Vec::with_capacity(self.features.len() + 256);
        put_bytes(&mut layer, 1, self.name.as_bytes());
        layer.extend_from_slice(&self.features);
        for key in self.keys {
            put_bytes(&mut layer, 3, key.as_bytes());
        }
        for value in &self.values {
            put_bytes(&mut layer, 4, &value.0);
        }
        put_key(&mut layer, 5, VARINT);
        put_varint(&mut layer, u64::from(self.extent));
        put_key(&mut layer, 15, VARINT);
        put_varint(&mut layer, 2);
        let mut tile = Vec::with_capacity(layer.len() + 8);
        put_bytes(&mut tile, 3, &layer);
        tile
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_matches_protobuf_definition() {
        // Protobuf encoding guide: 0→0, -1→1, 1→2, -2→3, 2147483647→4294967294.
        assert_eq!(zigzag(0), 0);
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
        assert_eq!(zigzag(-2), 3);
        assert_eq!(zigzag(2_147_483_647), 4_294_967_294);
    }

    #[test]
    fn square_geometry_matches_spec_example() {
        // MVT spec 4.3.5 example polygon: MoveTo(3,6) LineTo(8,12) (20,34) ClosePath
        // → [9, 6, 12, 18, 10, 12, 24, 44, 15].
        let mut g = GeometryEncoder::default();
        g.ring(&[[3, 6], [8, 12], [20, 34]]);
        assert_eq!(g.commands(), &[9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn varint_encodes_300_as_two_bytes() {
        // Protobuf encoding guide: 300 = 0xAC 0x02.
        let mut b = Vec::new();
        put_varint(&mut b, 300);
        assert_eq!(b, vec![0xAC, 0x02]);
    }
}
