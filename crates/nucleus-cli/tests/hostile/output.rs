//! Commands that write a dataset write all of it or nothing: a bad line, a conflict, a failed
//! or killed run, a base that changes under `append` leave the previous output as it was. The
//! moments at which a run is killed or its input changed are stop points of the binary
//! (`NUCLEUS_TEST_STOP_...`), not sleeps.

use std::io::{BufRead, BufReader, Read, Write};
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

    /// Lets the run go on (closes its standard input) and returns its exit code, standard
    /// output and the rest of its standard error.
    fn resume(mut self) -> (i32, String, String) {
        drop(self.child.stdin.take());
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let mut stderr = String::new();
        self.stderr.read_to_string(&mut stderr).unwrap();
        let status = self.child.wait().unwrap();
        (status.code().unwrap_or(-1), stdout, stderr)
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

/// A change to the base, made while `append` waits between its readings.
type Change = fn(&Path);

/// One line more at the end of the file.
fn grow(base: &Path) {
    let mut text = std::fs::read_to_string(base).unwrap();
    text.push_str(&lines(&[5]));
    std::fs::write(base, text).unwrap();
}

/// The same size and modification time, other bytes: only the lines tell.
fn rewrite_in_place(base: &Path) {
    let modified = std::fs::metadata(base).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(base)
        .unwrap()
        .replace("s3://b/2", "s3://b/9");
    let file = std::fs::OpenOptions::new().write(true).open(base).unwrap();
    (&file).write_all(text.as_bytes()).unwrap();
    file.set_modified(modified).unwrap();
}

#[test]
fn append_refuses_a_base_that_changes_between_its_two_readings() {
    let dir = temp_dir("hostile-append-changed");
    let (base, update, out) = (
        dir.join("base.jsonl"),
        dir.join("update.jsonl"),
        dir.join("out.jsonl"),
    );
    std::fs::write(&update, lines(&[4])).unwrap();
    let changes: [(Change, &str); 2] = [
        (
            grow,
            "changed after it was checked (its size or modification time differs)",
        ),
        (rewrite_in_place, "changed between the check and the write"),
    ];
    for (change, message) in changes {
        for to_file in [true, false] {
            std::fs::write(&base, lines(&[1, 2, 3])).unwrap();
            std::fs::write(&out, "previous output\n").unwrap();
            let paused = Paused::spawn(
                &append_args(&base, &update, to_file.then_some(out.as_path())),
                "NUCLEUS_TEST_STOP_BETWEEN_BASE_READS",
            );
            change(&base);
            let (code, stdout, stderr) = paused.resume();
            assert_eq!(code, 2, "{stderr}");
            assert!(stderr.contains(message), "{message}: {stderr}");
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous output\n");
            assert_eq!(files_in(&dir), ["base.jsonl", "out.jsonl", "update.jsonl"]);
            if to_file {
                assert_eq!(stdout, "");
                assert!(stderr.contains("; nothing written"), "{stderr}");
            } else if message.contains("size") {
                assert_eq!(stdout, "", "refused before the first byte");
            } else {
                assert!(stderr.contains("discard it"), "{stderr}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
