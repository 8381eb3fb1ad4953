//! Commands that write a dataset write all of it or nothing: a bad line, a conflict, a failed
//! or killed run leave the previous output as it was. The moment at
//! which a run is killed is a stop point of the binary (`NUCLEUS_TEST_STOP_...`), not a sleep.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

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

/// A run of `nucleus` stopped at a stop point (`NUCLEUS_TEST_STOP_...=1`): spawned, and its
/// standard error read up to the line that says it is waiting there.
struct Paused {
    child: Child,
    stderr: BufReader<ChildStderr>,
}

impl Paused {
    fn spawn(args: &[&Path], stop_point: &str) -> Paused {
        let mut child = Command::new(env!("CARGO_BIN_EXE_nucleus"))
            .args(args)
            .env(stop_point, "1")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let marker = format!("nucleus: paused at {stop_point}: ");
        let mut line = String::new();
        loop {
            line.clear();
            let n_read = stderr.read_line(&mut line).unwrap();
            assert_ne!(n_read, 0, "the run ended before {stop_point}");
            if line.starts_with(&marker) {
                break;
            }
        }
        Paused { child, stderr }
    }
}

fn append_args<'a>(base: &'a Path, update: &'a Path, out: Option<&'a Path>) -> Vec<&'a Path> {
    let mut args = vec![Path::new("append"), base, update];
    if let Some(out) = out {
        args.extend([Path::new("-o"), out]);
    }
    args
}

#[test]
fn a_run_killed_before_its_rename_leaves_the_target_and_the_next_run_cleans_up() {
    let dir = temp_dir("hostile-append-kill");
    let (base, update, out) = (
        dir.join("base.jsonl"),
        dir.join("update.jsonl"),
        dir.join("out.jsonl"),
    );
    std::fs::write(&base, lines(&[1, 2, 3])).unwrap();
    std::fs::write(&update, lines(&[4])).unwrap();
    std::fs::write(&out, "previous output\n").unwrap();
    let expected = lines(&[1, 2, 3, 4]);

    // Stopped with the temporary file written in full, then killed (SIGKILL: no cleanup).
    let mut paused = Paused::spawn(
        &append_args(&base, &update, Some(&out)),
        "NUCLEUS_TEST_STOP_BEFORE_RENAME",
    );
    let temporary_name = format!(".out.jsonl.nucleus-tmp-{}", paused.child.id());
    let temporary = dir.join(&temporary_name);
    assert_eq!(std::fs::read_to_string(&temporary).unwrap(), expected);
    paused.child.kill().unwrap();
    paused.child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output\n");
    assert_eq!(
        files_in(&dir),
        [
            temporary_name.as_str(),
            "base.jsonl",
            "out.jsonl",
            "update.jsonl"
        ]
    );

    // The next run for the same target removes the killed run's file and writes the target.
    let run = nucleus(
        &[
            "append",
            base.to_str().unwrap(),
            update.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    assert_eq!(files_in(&dir), ["base.jsonl", "out.jsonl", "update.jsonl"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
