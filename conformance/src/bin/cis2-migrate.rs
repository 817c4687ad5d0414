//! `cis2-migrate`: see `cis2_conformance::migrate` and `cis2-migrate --help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cis2_conformance::migrate::cli::main().await
}
