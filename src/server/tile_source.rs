//! Where tiles come from: the [`TileSource`] trait the HTTP layer serves from (so caching,
//! ETags and negotiation do not depend on how tiles are made), its implementation by the tile
//! engine's `TileSet`, and building one source per loaded level.

use crate::level::Level;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Something that can produce uncompressed MVT tiles for one level.
///
/// Implemented by the tile generator's `TileSet`; a trait so the HTTP layer (caching, ETags,
/// negotiation) does not depend on how tiles are made (a PMTiles archive could serve too).
pub trait TileSource: Send + Sync {
    /// Name of the MVT layer inside each tile (the style's `source-layer`).
    fn layer_name(&self) -> String;
    /// Uncompressed MVT bytes of tile z/x/y, or `None` when no feature touches it.
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String>;
    /// `[west, south, east, north]` in degrees.
    fn bounds(&self) -> [f64; 4];
    /// Feature properties and their TileJSON type ("String", "Number", "Boolean").
    fn fields(&self) -> BTreeMap<String, String>;
}

/// Build a tile set for every loaded level, in parallel (rayon).
pub fn build_tilesets(
    dataset: &crate::dataset::Dataset,
    max_zoom: u8,
) -> BTreeMap<Level, Arc<dyn TileSource>> {
    use rayon::prelude::*;
    let options = crate::tiles::TileOptions {
        max_zoom,
        ..Default::default()
    };
    dataset
        .layers
        .par_iter()
        .map(|layer| {
            let set = crate::tiles::TileSet::new(layer, options.clone());
            (layer.level, Arc::new(set) as Arc<dyn TileSource>)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

impl TileSource for crate::tiles::TileSet {
    fn layer_name(&self) -> String {
        self.level().as_str().to_string()
    }
    fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, String> {
        crate::tiles::TileSet::tile(self, z, x, y).map_err(|e| e.to_string())
    }
    fn bounds(&self) -> [f64; 4] {
        crate::tiles::TileSet::bounds(self)
    }
    fn fields(&self) -> BTreeMap<String, String> {
        crate::tiles::TileSet::fields(self).into_iter().collect()
    }
}
