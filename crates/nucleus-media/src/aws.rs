//! The user's AWS settings from the shared files the AWS tools write (`~/.aws/credentials`,
//! `~/.aws/config`), for the S3 client when the environment does not set them: object_store's
//! `AmazonS3Builder::from_env` reads environment variables only.
//!
//! The files are read as the AWS CLI reads them, in the part a static-key S3 client needs:
//! the profile `AWS_PROFILE` names (or `default`), its `aws_access_key_id`,
//! `aws_secret_access_key` and `aws_session_token` (the credentials file first, then the config
//! file), `region` and `endpoint_url` (an `s3 =` block's nested `endpoint_url` first). The
//! files' format is the AWS one, not plain INI: the config file names profiles
//! `[profile NAME]` (the default one `[default]`), the credentials file `[NAME]`, and a key with
//! no value opens a block of indented sub-keys; so it is read here, in a few lines, rather than
//! by a general INI crate. Single sign-on, assumed roles and `credential_process` are not
//! followed (`aws configure export-credentials --format env` exports what they give).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The settings of one profile of the shared AWS files.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsProfile {
    /// `aws_access_key_id`.
    pub access_key_id: Option<String>,
    /// `aws_secret_access_key`.
    pub secret_access_key: Option<String>,
    /// `aws_session_token`.
    pub session_token: Option<String>,
    /// `region`.
    pub region: Option<String>,
    /// `endpoint_url` (an `s3 =` block's, else the profile's).
    pub endpoint_url: Option<String>,
}

impl fmt::Debug for AwsProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |value: &Option<String>| value.as_ref().map(|_| "<hidden>");
        f.debug_struct("AwsProfile")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &hidden(&self.secret_access_key))
            .field("session_token", &hidden(&self.session_token))
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .finish()
    }
}

impl AwsProfile {
    /// The profile of the environment `env` (a variable's value by name, such as
    /// `|name| std::env::var(name).ok()`): the one `AWS_PROFILE` names, else `default`, from
    /// the files `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` name, else
    /// `~/.aws/credentials` and `~/.aws/config` (`HOME`, or `USERPROFILE` on Windows). A file
    /// that does not exist holds nothing; so does a missing `default` profile.
    ///
    /// # Errors
    ///
    /// A file that exists but cannot be read (the error names it), and a profile named by
    /// `AWS_PROFILE` that neither file holds.
    pub fn from_files(env: impl Fn(&str) -> Option<String>) -> io::Result<AwsProfile> {
        let named = env("AWS_PROFILE").filter(|name| !name.is_empty());
        let name = named.as_deref().unwrap_or("default");
        let home = env("HOME")
            .or_else(|| env("USERPROFILE"))
            .filter(|home| !home.is_empty());
        let file = |variable: &str, default: &str| {
            env(variable)
                .filter(|path| !path.is_empty())
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|home| Path::new(home).join(default)))
        };
        let credentials = read(file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials"))?;
        let config = read(file("AWS_CONFIG_FILE", ".aws/config"))?;
        let from_credentials = credentials
            .as_deref()
            .and_then(|text| section(text, |header| header == name));
        let from_config = config.as_deref().and_then(|text| {
            section(text, |header| {
                let profile = header
                    .strip_prefix("profile")
                    .filter(|rest| rest.starts_with([' ', '\t']))
                    .map(str::trim);
                profile == Some(name) || (name == "default" && header == "default")
            })
        });
        if let Some(named) = &named
            && from_credentials.is_none()
            && from_config.is_none()
        {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "AWS_PROFILE names the profile {named:?}, which neither the AWS credentials file nor the AWS config file holds"
                ),
            ));
        }
        let credentials = from_credentials.unwrap_or_default();
        let config = from_config.unwrap_or_default();
        let get = |keys: &[(&[(String, String)], &str)]| {
            keys.iter().find_map(|(entries, key)| {
                entries
                    .iter()
                    .rev()
                    .find(|(name, _)| name == key)
                    .map(|(_, value)| value.clone())
            })
        };
        Ok(AwsProfile {
            access_key_id: get(&[
                (&credentials, "aws_access_key_id"),
                (&config, "aws_access_key_id"),
            ]),
            secret_access_key: get(&[
                (&credentials, "aws_secret_access_key"),
                (&config, "aws_secret_access_key"),
            ]),
            session_token: get(&[
                (&credentials, "aws_session_token"),
                (&config, "aws_session_token"),
            ]),
            region: get(&[(&config, "region"), (&credentials, "region")]),
            endpoint_url: get(&[(&config, "s3.endpoint_url"), (&config, "endpoint_url")]),
        })
    }

    /// [`AwsProfile::from_files`] of this process's environment.
    ///
    /// # Errors
    ///
    /// As [`AwsProfile::from_files`].
    pub fn from_env_files() -> io::Result<AwsProfile> {
        AwsProfile::from_files(|name| std::env::var(name).ok())
    }
}

/// The text of the file at `path`; `None` for no path or no file.
fn read(path: Option<PathBuf>) -> io::Result<Option<String>> {
    let Some(path) = path else {
        return Ok(None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(io::Error::new(
            error.kind(),
            format!("cannot read {}: {error}", path.display()),
        )),
    }
}

/// The `key = value` entries of every section whose header (the text between the brackets,
/// trimmed) `wanted` accepts, in file order; `None` when there is no such section. Keys are
/// lowercase; a key with no value opens a block whose indented entries are `key.subkey`.
/// Lines starting with `#` or `;` are comments, as is the rest of a line from a ` #` or ` ;`.
fn section(text: &str, wanted: impl Fn(&str) -> bool) -> Option<Vec<(String, String)>> {
    let mut found: Option<Vec<(String, String)>> = None;
    let mut inside = false;
    let mut block: Option<String> = None;
    for raw in text.lines() {
        let line = strip_comment(raw);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(header) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            inside = wanted(header.trim());
            if inside {
                found.get_or_insert_with(Vec::new);
            }
            block = None;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        let indented = line.starts_with([' ', '\t']);
        let entries = found.get_or_insert_with(Vec::new);
        match (&block, indented) {
            (Some(parent), true) => entries.push((format!("{parent}.{key}"), value.to_owned())),
            // An indented line under a key with a value continues it: not read.
            (None, true) => {}
            (_, false) => {
                block = value.is_empty().then(|| key.clone());
                if !value.is_empty() {
                    entries.push((key, value.to_owned()));
                }
            }
        }
    }
    found
}

/// `line` without its comment: all of it when it starts with `#` or `;`, else from a `#` or
/// `;` after a space or tab.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with(['#', ';']) {
        return "";
    }
    let bytes = line.as_bytes();
    let cut = bytes
        .windows(2)
        .position(|pair| matches!(pair, [b' ' | b'\t', b'#' | b';']));
    match cut {
        Some(at) => line.get(..at).unwrap_or(line),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A fresh directory standing for `HOME`, with `files` written under it.
    fn home(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("nucleus-media-aws-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn load(vars: &[(&str, String)]) -> io::Result<AwsProfile> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect();
        AwsProfile::from_files(|name| vars.get(name).cloned())
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    const CREDENTIALS: &str = "\
# written by aws configure
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = secret/default ; a comment
[work]
aws_access_key_id=AKIAWORK
aws_secret_access_key=secret-work
aws_session_token = token-work
";

    const CONFIG: &str = "\
[default]
region = eu-west-1
; the profile's keys are in the credentials file
[profile work]
region = us-east-2
endpoint_url = http://127.0.0.1:9000
s3 =
  endpoint_url = http://127.0.0.1:9001
  addressing_style = path
[profile config-only]
aws_access_key_id = AKIACONFIG
aws_secret_access_key = secret-config
output = json
  continued = not a sub-key
[work]
region = not-a-config-profile
";

    #[test]
    fn the_default_profile_comes_from_both_files_under_home() {
        let home = home(
            "default",
            &[(".aws/credentials", CREDENTIALS), (".aws/config", CONFIG)],
        );
        let profile = load(&[("HOME", home.display().to_string())]).unwrap();
        assert_eq!(
            profile,
            AwsProfile {
                access_key_id: some("AKIADEFAULT"),
                secret_access_key: some("secret/default"),
                session_token: None,
                region: some("eu-west-1"),
                endpoint_url: None,
            }
        );
        assert!(!format!("{profile:?}").contains("secret/default"));
    }

    #[test]
    fn aws_profile_picks_a_named_profile_and_its_s3_endpoint() {
        let home = home(
            "named",
            &[(".aws/credentials", CREDENTIALS), (".aws/config", CONFIG)],
        );
        let home = home.display().to_string();
        let profile = load(&[("HOME", home.clone()), ("AWS_PROFILE", "work".to_owned())]).unwrap();
        assert_eq!(
            profile,
            AwsProfile {
                access_key_id: some("AKIAWORK"),
                secret_access_key: some("secret-work"),
                session_token: some("token-work"),
                region: some("us-east-2"),
                endpoint_url: some("http://127.0.0.1:9001"),
            }
        );
        // Keys in the config file, and an indented line under a key with a value ignored.
        let profile = load(&[
            ("HOME", home.clone()),
            ("AWS_PROFILE", "config-only".into()),
        ])
        .unwrap();
        assert_eq!(profile.access_key_id, some("AKIACONFIG"));
        assert_eq!(profile.region, None);
        // A named profile that is nowhere is an error; a missing default is nothing.
        let error = load(&[("HOME", home), ("AWS_PROFILE", "nope".into())]).unwrap_err();
        assert!(error.to_string().contains("\"nope\""), "{error}");
        let empty = self::home("empty", &[]);
        assert_eq!(
            load(&[("HOME", empty.display().to_string())]).unwrap(),
            AwsProfile::default()
        );
        assert_eq!(load(&[]).unwrap(), AwsProfile::default());
    }

    #[test]
    fn the_file_variables_override_home() {
        let home = home(
            "files",
            &[
                (".aws/credentials", CREDENTIALS),
                (
                    "elsewhere/creds",
                    "[default]\naws_access_key_id = AKIAELSE\n",
                ),
                ("elsewhere/conf", "[default]\nregion = ap-south-1\n"),
            ],
        );
        let profile = load(&[
            ("HOME", home.display().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                home.join("elsewhere/creds").display().to_string(),
            ),
            (
                "AWS_CONFIG_FILE",
                home.join("elsewhere/conf").display().to_string(),
            ),
        ])
        .unwrap();
        assert_eq!(profile.access_key_id, some("AKIAELSE"));
        assert_eq!(profile.secret_access_key, None);
        assert_eq!(profile.region, some("ap-south-1"));
    }

    #[test]
    fn an_unreadable_file_is_an_error_that_names_it() {
        // A directory where the file should be cannot be read as text.
        let home = home("unreadable", &[(".aws/config/x", "")]);
        let error = load(&[("HOME", home.display().to_string())]).unwrap_err();
        assert!(error.to_string().contains(".aws/config"), "{error}");
    }

    #[test]
    fn comments_start_a_line_or_follow_a_space() {
        assert_eq!(strip_comment("  # all"), "");
        assert_eq!(strip_comment("; all"), "");
        assert_eq!(strip_comment("key = a#b;c"), "key = a#b;c");
        assert_eq!(strip_comment("key = abc ;note"), "key = abc");
        assert_eq!(strip_comment("key = abc\t# note"), "key = abc");
    }
}
