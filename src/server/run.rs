//! Running the server: one single-threaded tokio event loop per worker thread, each with its
//! own listening socket on the same address (`SO_REUSEPORT`), so the kernel spreads
//! connections over them and no request crosses threads; slow work (tile generation, gap
//! tables, encoding) goes to a blocking pool of bounded size.

use super::auth::Tokens;
use super::state::{AppState, ServerConfig, ServerError};
use super::writer::Writer;
use super::{app, serve, shutdown_signal};
use std::sync::Arc;
use std::time::Instant;

/// Start the server on `bind` with `workers` event loops (default: one per core) and run
/// until Ctrl-C/SIGTERM; then stop accepting, let in-flight requests finish for at most
/// `config.shutdown_timeout`, and return.
///
/// The data served is `source`'s: a snapshot with its uploads (`tokens` authorise changes to
/// it), or a generation read from PostGIS, followed for newer ones (read-only here: the data
/// changes through `gapmap load-postgis`). `tokens` also guard `/metrics`.
///
/// Prints the URL and the time from this call to listening (tile sets built, socket bound).
pub fn run(
    source: Source,
    tokens: Tokens,
    config: ServerConfig,
    bind: &str,
    workers: Option<usize>,
) -> Result<(), ServerError> {
    let started = Instant::now();
    config.validate()?;
    limit_malloc_arenas(MALLOC_ARENAS);
    if !config.web_dir.join("index.html").is_file() {
        tracing::warn!(
            "{} has no index.html: the API and tiles work, but / will answer 404 (use --web-dir)",
            config.web_dir.display()
        );
    }
    // One single-threaded event loop per worker, each with its own listening socket on the same
    // address (SO_REUSEPORT): the kernel spreads connections over them and no request ever
    // crosses threads, which saves the wake-ups a work-stealing scheduler pays per request.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = workers.filter(|&n| n > 0).unwrap_or(cores);
    // Blocking work is CPU-bound: more threads than cores only queue in the kernel instead of
    // in tokio, and every extra thread can hold its own malloc arena (memory that grows under
    // load and is not returned). tokio's default would allow 512 per worker.
    let blocking_threads = cores.max(2);
    let main_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let (dataset, writer, followed) = match source {
        Source::Snapshot(writer) => (writer.dataset(), Some(writer), None),
        Source::Postgis { url, generation } => {
            let crate::postgis::Generation {
                number,
                geometry_sha256,
                dataset,
            } = generation;
            (dataset, None, Some((url, number, geometry_sha256)))
        }
    };
    let name = dataset.meta.name.clone();
    let drain = config.shutdown_timeout;
    let state = main_rt.block_on(async {
        AppState::with_tilesets(Arc::new(dataset), config).with_writes(tokens, writer)
    });
    if let Some((url, number, geometry_sha256)) = followed {
        super::replica::follow_postgis(url, number, geometry_sha256, state.clone())
            .map_err(ServerError::Runtime)?;
    }
    let router = main_rt.block_on(async { app(state) });
    let bind_error = |source| ServerError::Bind {
        addr: bind.to_string(),
        source,
    };
    let requested = std::net::ToSocketAddrs::to_socket_addrs(&bind)
        .map_err(bind_error)?
        .next()
        .ok_or_else(|| bind_error(std::io::Error::other("the address resolves to nothing")))?;
    // The first socket fixes the port (port 0 asks the kernel for a free one). Sockets are
    // made inside the main runtime's context, then handed to the workers as std listeners.
    let guard = main_rt.enter();
    let first = reuseport_listener(requested).map_err(bind_error)?;
    let addr = first.local_addr()?;
    let mut listeners = vec![first];
    for _ in 1..workers {
        listeners.push(reuseport_listener(addr).map_err(bind_error)?);
    }
    drop(guard);
    println!(
        "gapmap: serving {name} at http://{addr}/ (ready in {:.0} ms; {workers} workers; Ctrl-C to stop)",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut threads = Vec::new();
    for (i, listener) in listeners.into_iter().enumerate() {
        let router = router.clone();
        let mut stop = stop_rx.clone();
        let thread = std::thread::Builder::new()
            .name(format!("gapmap-worker-{i}"))
            .spawn(move || -> Result<(), ServerError> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .max_blocking_threads(blocking_threads)
                    .build()
                    .map_err(ServerError::Runtime)?;
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    let mut deadline = stop.clone();
                    let server = serve(listener, router, async move {
                        let _ = stop.wait_for(|stopped| *stopped).await;
                    });
                    // Drain in-flight requests for at most `drain` after the stop signal.
                    let bound = async move {
                        let _ = deadline.wait_for(|stopped| *stopped).await;
                        tokio::time::sleep(drain).await;
                    };
                    tokio::select! {
                        result = server => result,
                        () = bound => {
                            tracing::warn!("requests still in flight after {} s; stopping anyway", drain.as_secs());
                            Ok(())
                        }
                    }
                })
            })
            .map_err(ServerError::Runtime)?;
        threads.push(thread);
    }
    main_rt.block_on(shutdown_signal());
    let _ = stop_tx.send(true);
    for thread in threads {
        thread.join().map_err(|_| {
            ServerError::Runtime(std::io::Error::other("a worker thread panicked"))
        })??;
    }
    Ok(())
}

/// Where a server's data comes from.
pub enum Source {
    /// A built snapshot with its uploads overlay (uploads and deletes allowed with a token).
    Snapshot(Writer),
    /// A generation read from PostGIS at `url`; newer ones are swapped in as they are loaded.
    Postgis {
        url: String,
        generation: crate::postgis::Generation,
    },
}

/// A non-blocking listening socket on `addr` with SO_REUSEADDR and SO_REUSEPORT set.
fn reuseport_listener(addr: std::net::SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(1024)?.into_std()?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// glibc malloc arenas the server may use. glibc gives each thread that allocates concurrently
/// its own arena (up to 8 per core), and memory freed in one arena is not reused by another, so
/// under mixed load RSS kept growing (84 → 303 → 366 MB in the test, 51 → 395 → 482 MB
/// here). Measured with `scripts/load-test` (two 60 s runs at 256 connections): the default
/// glibc setting with a bounded blocking pool plateaus at 174 MB, two arenas at 147 MB,
/// mimalloc at 195 MB.
const MALLOC_ARENAS: i32 = 2;

/// Cap glibc's malloc arenas (no effect with other C libraries; `MALLOC_ARENA_MAX` in the
/// environment, read by glibc at start, still wins when set).
fn limit_malloc_arenas(arenas: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; it is called before the worker
        // threads start. M_ARENA_MAX is -8 in glibc's malloc.h.
        let ok = unsafe { libc::mallopt(libc::M_ARENA_MAX, arenas) };
        if ok != 1 {
            tracing::warn!("could not limit malloc arenas to {arenas}");
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}
