//! Binding and stopping the bridge's listeners (Port Service and Credential Management).

use std::net::SocketAddr;

use super::events::cm_router;
use super::port_service::port_service_router;
use crate::state::{AppState, Bound, lock};

async fn bind(ip: std::net::IpAddr, port: u16) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
        .await
        .map_err(|e| format!("bridge: cannot bind {ip}:{port}: {e}"))
}

/// Binds and serves the bridge when `bridge.enabled`. Explicit ports must all bind; of the published ports
/// at least one must (the real service listens on one of them).
pub(crate) async fn start(st: &AppState) -> Result<(), String> {
    let cfg = &st.0.config.bridge;
    if !cfg.enabled {
        return Ok(());
    }
    let ip = st.0.config.bind;
    let cm = bind(ip, cfg.cm_port).await?;
    let cm_addr = cm.local_addr().map_err(|e| e.to_string())?;
    let mut prs = Vec::new();
    for port in cfg.port_service_ports() {
        match bind(ip, port).await {
            Ok(l) => prs.push(l),
            Err(e) if cfg.published_ports => tracing::warn!("{e}"),
            Err(e) => return Err(e),
        }
    }
    if prs.is_empty() {
        return Err("bridge: none of the published Port Service ports could be bound".into());
    }
    let mut bound = Bound {
        port_service: Vec::new(),
        cm: Some(cm_addr),
    };
    let mut tasks = Vec::new();
    for l in prs {
        bound
            .port_service
            .push(l.local_addr().map_err(|e| e.to_string())?);
        let app = port_service_router(st.clone());
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(l, app).await;
        }));
    }
    let app = cm_router(st.clone());
    tasks.push(tokio::spawn(async move {
        let _ = axum::serve(cm, app).await;
    }));
    tracing::info!(
        port_service = ?bound.port_service,
        cm = %cm_addr,
        "virtual smartcard bridge listening"
    );
    *lock(&st.0.bridge.bound) = bound;
    lock(&st.0.bridge.tasks).extend(tasks);
    Ok(())
}

/// Stops the bridge listeners (open event streams included).
pub(crate) fn stop(st: &AppState) {
    for t in lock(&st.0.bridge.tasks).drain(..) {
        t.abort();
    }
    *lock(&st.0.bridge.bound) = Bound::default();
}
