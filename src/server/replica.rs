//! A replica of the shared store: a server whose data comes from PostGIS
//! ([`crate::postgis`]) and follows it. When `gapmap load-postgis` commits a new generation,
//! [`follow_postgis`] reads it whole and swaps its public face into the
//! [`super::store::DatasetStore`], as an upload does; requests in flight finish on the old one.
//!
//! The tile sources are built once from the boundaries at start, so only a generation with
//! the same boundaries (equal geometry digest, [`crate::postgis::Generation`]) is swapped in.
//! A generation with other boundaries is refused with an error in the log and the replica
//! keeps serving the one it has, whole: restart it (systemd `Restart=`, a rolling restart)
//! to serve the new boundaries.

use super::state::AppState;
use crate::postgis::Generation;
use crate::public::PublicDataset;
use std::sync::Arc;

/// Follow the database at `url` from generation `serving` (whose boundaries have the digest
/// `geometry`), swapping every newer generation with the same boundaries into `state`'s store.
pub fn follow_postgis(
    url: String,
    serving: i64,
    geometry: String,
    state: AppState,
) -> std::io::Result<()> {
    crate::postgis::follow(url, serving, move |next: Generation| {
        if next.geometry_sha256 != geometry {
            tracing::error!(
                "PostGIS generation {} has other boundaries than the ones this replica's tiles \
                 were built from; still serving the previous generation: restart the replica \
                 to serve it",
                next.number
            );
            return;
        }
        let public =
            PublicDataset::with_cache_bytes(Arc::new(next.dataset), state.config().gap_cache_bytes);
        state.store().replace(Arc::new(public));
        tracing::info!("now serving PostGIS generation {}", next.number);
    })?;
    Ok(())
}
