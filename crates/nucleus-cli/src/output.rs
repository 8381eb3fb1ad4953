//! Output files that appear whole or not at all.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::pause;

/// Between a target's name and the writer's process id in a temporary file's name:
/// `.out.jsonl.nucleus-tmp-4242` is being written (or was, by a run that was killed) as
/// `out.jsonl`.
const TEMPORARY_MARK: &str = ".nucleus-tmp-";

/// A file written under a temporary name in the same directory and renamed into place by
/// [`AtomicFile::commit`]: readers never see a half-written file, and an error (or a panic)
/// before the commit leaves the previous file, if any, untouched. Every file the CLI writes
/// goes through it.
///
/// A symbolic link is written through (the file it names is replaced, the link stays). A target
/// that a rename cannot replace, such as a pipe or a device (`-o /dev/stdout`), is written in
/// place: there is nothing to keep whole.
///
/// A killed run cannot remove its temporary file; the next run for the same target removes
/// every temporary file of it whose process has ended.
pub struct AtomicFile {
    target: PathBuf,
    /// `None` when writing in place.
    temporary: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> anyhow::Result<AtomicFile> {
        let writer = |file| Some(BufWriter::with_capacity(1 << 16, file));
        match fs::metadata(target) {
            Ok(metadata) if metadata.is_dir() => {
                bail!("cannot create {}: it is a directory", target.display())
            }
            Ok(metadata) if !metadata.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(target)
                    .with_context(|| format!("cannot open {}", target.display()))?;
                return Ok(AtomicFile {
                    target: target.to_path_buf(),
                    temporary: None,
                    writer: writer(file),
                });
            }
            _ => {}
        }
        // A dangling link is replaced like a missing file.
        let resolved = if fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink()) {
            fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf())
        } else {
            target.to_path_buf()
        };
        let name = resolved
            .file_name()
            .with_context(|| format!("{} is not a file name", target.display()))?;
        let prefix = temporary_prefix(name);
        let dir = match resolved.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        remove_stale_temporaries(dir, &prefix);
        let mut temporary_name = prefix;
        temporary_name.push(std::process::id().to_string());
        let temporary = resolved.with_file_name(temporary_name);
        // The error names the file asked for: the temporary name is ours, not the user's.
        let file = File::create(&temporary)
            .with_context(|| format!("cannot create {}", target.display()))?;
        Ok(AtomicFile {
            target: resolved,
            temporary: Some(temporary),
            writer: writer(file),
        })
    }

    /// Flushes, syncs and renames the file into place. On an error the temporary file is
    /// removed and the target left as it was.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let result = self.finish(writer);
        if result.is_err()
            && let Some(temporary) = &self.temporary
        {
            let _ = fs::remove_file(temporary);
        }
        result
    }

    fn finish(&self, writer: BufWriter<File>) -> anyhow::Result<()> {
        let written = self.temporary.as_deref().unwrap_or(&self.target);
        let file = writer
            .into_inner()
            .map_err(|error| error.into_error())
            .with_context(|| format!("cannot write {}", written.display()))?;
        let Some(temporary) = &self.temporary else {
            return Ok(());
        };
        file.sync_all()
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        pause::stop_point(
            pause::BEFORE_RENAME,
            &format!("{} is written", temporary.display()),
        );
        fs::rename(temporary, &self.target).with_context(|| {
            format!(
                "cannot rename {} to {}",
                temporary.display(),
                self.target.display()
            )
        })
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some()
            && let Some(temporary) = &self.temporary
        {
            let _ = fs::remove_file(temporary);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(writer) => writer.write(bytes),
            None => Err(io::Error::other("the file is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(writer) => writer.flush(),
            None => Ok(()),
        }
    }
}

/// `.NAME.nucleus-tmp-`: the name of a temporary file of `NAME` before the process id.
fn temporary_prefix(name: &OsStr) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(TEMPORARY_MARK);
    prefix
}

/// Removes the temporary files in `dir` named `prefix` and a process id whose process has
/// ended: what a killed run for the same target left. Failures are ignored (the file stays, as
/// it would without this).
fn remove_stale_temporaries(dir: &Path, prefix: &OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let pid = name
            .as_encoded_bytes()
            .strip_prefix(prefix.as_encoded_bytes())
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok());
        let Some(pid) = pid else { continue };
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if is_file && process_has_ended(pid) == Some(true) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` has ended, when the platform can tell (Linux's `/proc`): a process
/// killed but not yet reaped by its parent (a zombie) has ended. Our own id is an earlier
/// process's that had it: ours has no temporary file yet.
fn process_has_ended(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    if !Path::new("/proc/self/stat").exists() {
        return None;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Some(true),
        Err(_) => None,
        // `PID (COMMAND) STATE ...`: the command may hold any character, the state follows the
        // last parenthesis.
        Ok(stat) => {
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next());
            Some(matches!(state, Some('Z' | 'X')))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appears_only_on_commit_and_vanishes_on_drop() {
        let dir = std::env::temp_dir().join(format!("nucleus-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.jsonl");
        fs::write(&target, "old\n").unwrap();

        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"new\n").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary file left behind"
        );

        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"new\n").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\n");
        file.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn writes_through_links_and_into_devices() {
        let dir = std::env::temp_dir().join(format!("nucleus-atomic-link-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let real = dir.join("real.txt");
        let link = dir.join("link.txt");
        fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();

        let mut file = AtomicFile::create(&link).unwrap();
        file.write_all(b"new\n").unwrap();
        file.commit().unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 2);

        // A device cannot be renamed over: written in place, nothing left next to it.
        let mut file = AtomicFile::create(Path::new("/dev/null")).unwrap();
        file.write_all(b"gone").unwrap();
        file.commit().unwrap();

        let error = AtomicFile::create(&dir).err().unwrap();
        assert!(error.to_string().ends_with("it is a directory"), "{error}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_commit_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("nucleus-atomic-fail-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.txt");
        let mut file = AtomicFile::create(&target).unwrap();
        file.write_all(b"new\n").unwrap();
        // The target turns into a directory meanwhile: the rename fails.
        fs::create_dir(&target).unwrap();
        let error = file.commit().err().unwrap();
        assert!(error.to_string().starts_with("cannot rename"), "{error}");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary file left behind"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn removes_the_stale_temporary_files_of_its_target_only() {
        let dir = std::env::temp_dir().join(format!("nucleus-stale-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // A process id that is not running: beyond the kernel's limit (2^22).
        let ended = 4_194_999;
        assert_eq!(process_has_ended(ended), Some(true));
        let running = std::os::unix::process::parent_id();
        assert_eq!(process_has_ended(running), Some(false), "the parent runs");
        let keep = [
            "out.jsonl".to_owned(),
            format!(".out.jsonl.nucleus-tmp-{running}"),
            format!(".other.jsonl.nucleus-tmp-{ended}"),
            format!(".out.jsonl.nucleus-tmp-{ended}x"),
            ".out.jsonl.nucleus-tmp-".to_owned(),
        ];
        for name in &keep {
            fs::write(dir.join(name), "").unwrap();
        }
        fs::create_dir(dir.join(format!(".out.jsonl.nucleus-tmp-{}", ended + 1))).unwrap();
        fs::write(dir.join(format!(".out.jsonl.nucleus-tmp-{ended}")), "stale").unwrap();

        let mut file = AtomicFile::create(&dir.join("out.jsonl")).unwrap();
        file.write_all(b"new\n").unwrap();
        file.commit().unwrap();
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        let mut expected: Vec<String> = keep.to_vec();
        expected.push(format!(".out.jsonl.nucleus-tmp-{}", ended + 1));
        expected.sort();
        assert_eq!(names, expected);
        assert_eq!(fs::read_to_string(dir.join("out.jsonl")).unwrap(), "new\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
