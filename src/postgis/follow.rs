//! [`follow`]: keep a replica on the current generation — `LISTEN gapmap_dataset` on its own
//! connection and thread, and on every notification (or reconnection, when notifications may
//! have been missed) read the current generation and hand it over if it is new.

use super::connection::{connect, redact, CHANNEL};
use super::read::{read_with, Generation};
use postgres::fallible_iterator::FallibleIterator;
use std::time::Duration;

/// How long to wait before reconnecting after the connection fails.
const RETRY: Duration = Duration::from_secs(5);

/// Follow the database at `url` from generation `since` on a new thread, calling `on_new` with
/// every newer generation read (in order). Runs until the process ends; connection failures
/// are logged and retried every few seconds, never fatal (the replica keeps serving what it
/// has).
pub fn follow(
    url: String,
    since: i64,
    mut on_new: impl FnMut(Generation) + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("gapmap-postgis-follow".into())
        .spawn(move || {
            let mut have = since;
            loop {
                if let Err(e) = listen(&url, &mut have, &mut on_new) {
                    tracing::warn!(
                        "following {}: {e}; retrying in {} s",
                        redact(&url),
                        RETRY.as_secs()
                    );
                }
                std::thread::sleep(RETRY);
            }
        })
}

/// One connection's life: LISTEN, catch up, then wait for notifications until it fails.
fn listen(
    url: &str,
    have: &mut i64,
    on_new: &mut impl FnMut(Generation),
) -> Result<(), super::PostgisError> {
    let mut client = connect(url)?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|source| super::PostgisError::Query {
            url: redact(url),
            what: format!("cannot LISTEN {CHANNEL}"),
            source,
        })?;
    // Catch up with anything loaded while not listening.
    let mut reader = connect(url)?;
    catch_up(&mut reader, url, have, on_new);
    loop {
        let next = client.notifications().blocking_iter().next();
        match next {
            Ok(Some(_)) => catch_up(&mut reader, url, have, on_new),
            Ok(None) => return Ok(()),
            Err(source) => {
                return Err(super::PostgisError::Query {
                    url: redact(url),
                    what: "waiting for notifications".into(),
                    source,
                })
            }
        }
    }
}

/// Read the current generation and hand it over when it is newer than `have`.
fn catch_up(
    reader: &mut postgres::Client,
    url: &str,
    have: &mut i64,
    on_new: &mut impl FnMut(Generation),
) {
    match read_with(reader, url) {
        Ok(generation) if generation.number > *have => {
            *have = generation.number;
            on_new(generation);
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot read the new generation: {e}"),
    }
}
