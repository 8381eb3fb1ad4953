//! Commands that write a dataset write all of it or nothing: a bad line, a conflict, a failed
//! or killed run leave the previous output as it was.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::item;
use crate::support::{nucleus, root, temp_dir};

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn lines(ids: &[u32]) -> String {
    ids.iter().map(|id| format!("{}\n", item(*id))).collect()
}

#[test]
fn append_with_a_bad_line_writes_nothing() {
    let dir = temp_dir("hostile-append");
    let (base, update, out) = (
        dir.join("base.jsonl"),
        dir.join("update.jsonl"),
        dir.join("out.jsonl"),
    );
    std::fs::write(&base, lines(&[1, 2, 3])).unwrap();
    std::fs::write(&out, "previous output\n").unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_owned();
    let hazards: [&[u8]; 5] = [
        b"{\"image_location\":\"s3://b/9.jpg\",\"reference_id\":\"9\",\"metadata\":{\"k\":NaN}}",
        b"{\"image_location\":\"s3://b/9.jpg\",\"reference_id\":\"\xff\"}",
        b"{\"image_location\":\"s3://b/9.jpg\",\"reference_id\":\"9\",\"reference_id\":\"9\"}",
        b"[1]",
        b"{\"image_location\":\"s3://b/9.jpg\",\"refer",
    ];
    for (bad_in_base, hazard) in [false, true]
        .into_iter()
        .flat_map(|b| hazards.iter().map(move |h| (b, h)))
    {
        let mut bad = lines(&[4]).into_bytes();
        bad.extend(*hazard);
        bad.extend(b"\n");
        bad.extend(lines(&[5]).as_bytes());
        if bad_in_base {
            std::fs::write(&base, &bad).unwrap();
            std::fs::write(&update, lines(&[6])).unwrap();
        } else {
            std::fs::write(&base, lines(&[1, 2, 3])).unwrap();
            std::fs::write(&update, &bad).unwrap();
        }
        let run = nucleus(
            &[
                "append",
                &path(&base),
                &path(&update),
                "--update",
                "-o",
                &path(&out),
            ],
            b"",
        );
        assert_eq!(run.code, 1, "{hazard:?}: {}", run.stderr);
        assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
        let which = if bad_in_base {
            "base line 2"
        } else {
            "update line 2"
        };
        assert!(
            run.stderr.contains(which),
            "the line is named: {}",
            run.stderr
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output\n");
        assert_eq!(
            files_in(&dir),
            ["base.jsonl", "out.jsonl", "update.jsonl"],
            "a temporary file was left"
        );
    }
    // To standard output, a refused append writes nothing either.
    let run = nucleus(&["append", &path(&base), &path(&update)], b"");
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn append_into_a_missing_directory_creates_nothing() {
    let dir = temp_dir("hostile-append-missing");
    let base = dir.join("base.jsonl");
    std::fs::write(&base, lines(&[1])).unwrap();
    let out = dir.join("no/such/dir/out.jsonl");
    let run = nucleus(
        &[
            "append",
            base.to_str().unwrap(),
            base.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with("nucleus: error: cannot create"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(&dir), ["base.jsonl"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_killed_append_leaves_the_previous_output_whole() {
    let dir = temp_dir("hostile-append-kill");
    let (base, update, out) = (
        dir.join("base.jsonl"),
        dir.join("update.jsonl"),
        dir.join("out.jsonl"),
    );
    let ids: Vec<u32> = (1..=100_000).collect();
    std::fs::write(&base, lines(&ids)).unwrap();
    std::fs::write(&update, lines(&[200_000])).unwrap();
    std::fs::write(&out, "previous output\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nucleus"))
        .args([
            "append",
            base.to_str().unwrap(),
            update.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it while it writes, or after: either way the output is the old file or the new one,
    // whole. (A killed process cannot remove its temporary file; that is all it may leave.)
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    if text != "previous output\n" {
        let mut expected = lines(&ids);
        expected.push_str(&lines(&[200_000]));
        assert!(text == expected, "a partial output: {} bytes", text.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
