//! `cis2-conformance`: see the crate docs and `cis2-conformance --help`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    cis2_conformance::cli::main().await
}
