use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

/// A one-shot HTTP/1.1 server on a free loopback port that answers every connection with `response`.
async fn serve(response: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let _ = s.write_all(response).await;
            let _ = s.shutdown().await;
        }
    });
    format!("http://{addr}/")
}

fn get(url: &str) -> HttpRequest {
    http::Request::get(url).body(Vec::new()).unwrap()
}

#[tokio::test]
async fn sends_and_reads_status_headers_and_body() {
    let url =
        serve(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}").await;
    let resp = HttpClient::new(HttpSettings::default())
        .unwrap()
        .send(get(&url), 1024)
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.body(), b"{}");
}

#[tokio::test]
async fn never_follows_redirects() {
    let url =
        serve(b"HTTP/1.1 302 Found\r\nlocation: http://169.254.169.254/\r\ncontent-length: 0\r\n\r\n").await;
    let resp = HttpClient::new(HttpSettings::default())
        .unwrap()
        .send(get(&url), 1024)
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
}

#[tokio::test]
async fn reads_at_most_one_byte_over_the_limit() {
    let url = serve(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789").await;
    let resp = HttpClient::new(HttpSettings::default())
        .unwrap()
        .send(get(&url), 4)
        .await
        .unwrap();
    assert_eq!(resp.body(), b"01234");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let conn = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(conn);
    });
    let http = HttpClient::new(HttpSettings::default().timeout(Duration::from_millis(200))).unwrap();
    let err = http.send(get(&url), 1024).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    hold.abort();
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let err = HttpClient::new(HttpSettings::default())
        .unwrap()
        .send(get(&url), 1024)
        .await
        .unwrap_err();
    assert!(!err.is_timeout());
    assert!(!err.reason().is_empty());
}

#[tokio::test]
async fn a_request_can_have_its_own_shorter_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let conn = listener.accept().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(conn);
    });
    let http = HttpClient::new(HttpSettings::default()).unwrap();
    let err = http
        .send_within(get(&url), 1024, Some(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    hold.abort();
}

#[test]
fn an_extra_root_that_holds_no_certificate_is_refused() {
    let err =
        HttpClient::new(HttpSettings::default().extra_root_certificate_pem("not a certificate")).unwrap_err();
    assert!(err.reason().contains("no PEM certificate"), "{err}");
}
