//! Hostile input on the command line, table-driven: config files, tokens files, uploads and
//! snapshot files, and flags. Each case has its exit code (2: the user's to fix) and a
//! substring of the message, and never panics. The HTTP cases are in `tests/api/hostile.rs`.

use crate::support::Fixture;

struct Case {
    name: &'static str,
    /// Files to write in the fixture before running (path, contents).
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    code: i32,
    says: &'static str,
}

fn case(
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: &[&'static str],
    code: i32,
    says: &'static str,
) -> Case {
    Case {
        name,
        files,
        args: args.to_vec(),
        code,
        says,
    }
}

fn cases() -> Vec<Case> {
    let config = std::fs::read(crate::support::project().join("data/durham.toml")).unwrap();
    let with = |extra: &str| [config.as_slice(), extra.as_bytes()].concat();
    vec![
        case(
            "config that is not TOML",
            vec![("bad.toml", b"name = [unterminated".to_vec())],
            &["check", "--offline", "--config", "bad.toml"],
            2,
            "bad.toml",
        ),
        case(
            "config with an unknown key",
            vec![("typo.toml", with("\nsupress_max_count = 3\n"))],
            &["check", "--offline", "--config", "typo.toml"],
            2,
            "supress_max_count",
        ),
        case(
            "config that does not exist",
            vec![],
            &["check", "--offline", "--config", "nope.toml"],
            2,
            "nope.toml",
        ),
        case(
            "config with a NUL byte",
            vec![("nul.toml", b"name = \"a\0b\"\n".to_vec())],
            &["check", "--offline", "--config", "nul.toml"],
            2,
            "nul.toml",
        ),
        case(
            "config in UTF-16",
            vec![(
                "utf16.toml",
                [
                    &[0xff, 0xfe][..],
                    &"name = \"x\""
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes)
                        .collect::<Vec<u8>>(),
                ]
                .concat(),
            )],
            &["check", "--offline", "--config", "utf16.toml"],
            2,
            "utf16.toml",
        ),
        case(
            "tokens file without a colon",
            vec![("tokens.txt", b"just-a-secret-without-a-name\n".to_vec())],
            &[
                "serve",
                "--tokens-file",
                "tokens.txt",
                "--snapshot",
                "none.snapshot",
            ],
            2,
            "tokens.txt:1: expected `name:secret`",
        ),
        case(
            "tokens file with a short secret",
            vec![("tokens.txt", b"alice:short\n".to_vec())],
            &[
                "serve",
                "--tokens-file",
                "tokens.txt",
                "--snapshot",
                "none.snapshot",
            ],
            2,
            "at least 16",
        ),
        case(
            "tokens file that does not exist",
            vec![],
            &[
                "serve",
                "--tokens-file",
                "missing-tokens.txt",
                "--snapshot",
                "none.snapshot",
            ],
            2,
            "missing-tokens.txt",
        ),
        case(
            "snapshot that is not one",
            vec![("junk.snapshot", b"GAPMAPSS but not really".to_vec())],
            &["serve", "--snapshot", "junk.snapshot"],
            2,
            "junk.snapshot",
        ),
        case(
            "snapshot that does not exist",
            vec![],
            &["serve", "--snapshot", "none.snapshot"],
            2,
            "none.snapshot",
        ),
        case(
            "bad CORS origin",
            vec![],
            &[
                "serve",
                "--cors-origin",
                "javascript:alert(1)",
                "--snapshot",
                "none.snapshot",
            ],
            2,
            "",
        ),
        case(
            "negative upload limit",
            vec![],
            &["serve", "--max-upload-mb", "-1"],
            2,
            "-1",
        ),
        case(
            "gaps for an indicator with traversal",
            vec![],
            &["gaps", "--offline", "--indicator", "../../etc/passwd"],
            2,
            "../../etc/passwd",
        ),
    ]
}

#[test]
fn hostile_command_lines_exit_2_with_a_message() {
    let mut failures = Vec::new();
    let cases = cases();
    for c in &cases {
        let f = Fixture::new();
        for (path, bytes) in &c.files {
            f.write(path, bytes);
        }
        let out = f.gapmap(&c.args);
        let output = out.get_output();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(!stderr.contains("panicked"), "{}: {stderr}", c.name);
        if output.status.code() != Some(c.code) || !stderr.contains(c.says) {
            failures.push(format!(
                "{}: expected exit {} with {:?}, got {:?}: {}",
                c.name,
                c.code,
                c.says,
                output.status.code(),
                stderr.chars().take(300).collect::<String>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
