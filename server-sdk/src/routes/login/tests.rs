use super::check_return_path;

#[test]
fn same_origin_relative_paths_only() {
    for ok in ["/", "/home", "/patients?id=1&x=%2F", "/a/b#frag", "/%0d%0a"] {
        assert_eq!(check_return_path(ok), Some(ok), "{ok:?}");
    }
    for bad in [
        "",
        "home",
        "//evil.com",
        "///evil.com",
        "/\\evil.com",
        "\\\\evil",
        "/a\\b",
        "https://evil",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x",
        "/a b",
        "/\t",
        "/\u{0}",
    ] {
        assert_eq!(check_return_path(bad), None, "{bad:?}");
    }
    assert_eq!(
        check_return_path(&format!("/{}", "a".repeat(3000))),
        None,
        "too long"
    );
}
