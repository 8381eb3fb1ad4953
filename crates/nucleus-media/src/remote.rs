//! Reading remote files where they live: the first bytes of an object (a ranged GET), its
//! size (HEAD) or all of it, on S3 (and S3-compatible servers), Google Cloud Storage and
//! HTTP(S), through `object_store`, with bounded concurrency, timeouts and retries.

use std::collections::HashMap;
use std::error::Error as _;
use std::fmt;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use nucleus_model::{Code, Diagnostic, Location, LocationKind};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::{HttpClient, HttpConnector, HttpError, HttpErrorKind, ReqwestConnector};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::path::Path as StorePath;
use object_store::{
    BackoffConfig, ClientConfigKey, ClientOptions, GetOptions, GetRange, ObjectStore, RetryConfig,
};
use tokio::sync::Semaphore;

use crate::aws::AwsProfile;
use crate::mirror::quoted;

/// How remote files are read: how many requests at once, how long one may take, how often a
/// failed one is tried again, and options for the S3 client beyond the environment's.
///
/// Credentials and settings come from the standard environment, as the clouds' own tools read
/// them: for `s3://`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
/// `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL` for an S3-compatible server
/// (plain `http://` is allowed for it); what they leave unset, from the profile of the shared
/// AWS files ([`AwsProfile`]: `AWS_PROFILE`, `~/.aws/credentials`, `~/.aws/config`); else the
/// instance's role; for `gs://`,
/// `GOOGLE_APPLICATION_CREDENTIALS` or the application default credentials of `gcloud`;
/// `http(s)://` (Azure blobs too, by their URL with its SAS query) is read without credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteConfig {
    /// Requests under way at once (at least 1).
    pub concurrency: usize,
    /// The longest one request may take, answer included.
    pub timeout: Duration,
    /// How many times a request that failed for a reason that may pass (a timeout, a lost
    /// connection, a 5xx or 429 answer) is tried again, with exponential backoff.
    pub retries: usize,
    /// Options of the S3 client set on top of the environment's, by object_store's names
    /// (`aws_endpoint`, `aws_access_key_id`, `aws_region`, …).
    pub s3_options: Vec<(String, String)>,
    /// The profile of the shared AWS files that fills what the environment and `s3_options`
    /// leave unset; `None` reads it when the reader is built ([`AwsProfile::from_env_files`]).
    pub aws_profile: Option<AwsProfile>,
}

impl Default for RemoteConfig {
    fn default() -> RemoteConfig {
        RemoteConfig {
            concurrency: 32,
            timeout: Duration::from_secs(30),
            retries: 3,
            s3_options: Vec::new(),
            aws_profile: None,
        }
    }
}

impl RemoteConfig {
    /// 32 requests at once, 30 s each, 3 retries, the environment's settings.
    #[must_use]
    pub fn new() -> RemoteConfig {
        RemoteConfig::default()
    }

    /// The same, with `concurrency` requests at once (0 is taken as 1).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> RemoteConfig {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The same, with a timeout per request.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> RemoteConfig {
        self.timeout = timeout;
        self
    }

    /// The same, with `retries` retries of a failed request.
    #[must_use]
    pub fn retries(mut self, retries: usize) -> RemoteConfig {
        self.retries = retries;
        self
    }

    /// The same, with the S3 client option `key` (object_store's name, such as
    /// `aws_endpoint`) set to `value` over the environment's.
    #[must_use]
    pub fn s3_option(mut self, key: impl Into<String>, value: impl Into<String>) -> RemoteConfig {
        self.s3_options.push((key.into(), value.into()));
        self
    }

    /// The same, with `profile` instead of the shared AWS files of the environment.
    #[must_use]
    pub fn aws_profile(mut self, profile: AwsProfile) -> RemoteConfig {
        self.aws_profile = Some(profile);
        self
    }
}

/// Why a remote file cannot be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The server says there is no such object (HTTP 404).
    #[error("no such object (HTTP 404)")]
    NotFound,
    /// The server refuses it (HTTP 403).
    #[error(
        "access denied (HTTP 403): the credentials in the environment may not read it{}",
        if *s3 { " (S3 also answers 403 for a missing key when they may not list the bucket)" } else { "" }
    )]
    Denied {
        /// Whether the location is on S3.
        s3: bool,
    },
    /// The server wants credentials (HTTP 401).
    #[error("not authenticated (HTTP 401): no valid credentials for it in the environment")]
    Unauthenticated,
    /// No answer in time, on every attempt.
    #[error(
        "no answer within the timeout of {} s, in {attempts} {}",
        timeout.as_secs_f64(),
        if *attempts == 1 { "attempt" } else { "attempts" }
    )]
    TimedOut {
        /// The timeout of one request.
        timeout: Duration,
        /// Requests made.
        attempts: usize,
    },
    /// The location names a bucket or a host, not an object.
    #[error("it names a bucket or a host, not a file")]
    NoKey,
    /// Anything else: the client's message.
    #[error("cannot fetch it: {0}")]
    Other(String),
}

impl RemoteError {
    /// The finding's code: `missing-media` for a missing object, `unreadable-media` otherwise.
    #[must_use]
    pub fn code(&self) -> Code {
        match self {
            RemoteError::NotFound | RemoteError::NoKey => Code::MissingMedia,
            _ => Code::UnreadableMedia,
        }
    }

    /// The error finding for the location `location` of the field `field` at `pointer`.
    #[must_use]
    pub fn to_diagnostic(&self, pointer: &str, field: &str, location: &Location) -> Diagnostic {
        Diagnostic::error(
            self.code(),
            pointer,
            format!("{field} {}: {self}", quoted(location.as_str())),
        )
    }
}

/// What a ranged read gave: the first bytes of the object, and its whole size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// The bytes read (all of them when the object is shorter than asked).
    pub bytes: Vec<u8>,
    /// The object's size.
    pub size: u64,
}

/// Reads remote objects, at most `concurrency` requests at once. Its functions are `async`:
/// they run on the runtime of the [`crate::Prober`] that owns it.
pub struct RemoteReader {
    config: RemoteConfig,
    permits: Semaphore,
    /// One store per bucket (`s3://bucket`, `gs://bucket`), built on first use.
    stores: Mutex<HashMap<String, Arc<dyn ObjectStore>>>,
    /// The client every `http(s)://` location is read with (its connections are reused).
    http: HttpClient,
    /// What the shared AWS files say, for what the environment leaves unset.
    aws: AwsProfile,
}

impl fmt::Debug for RemoteReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteReader")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Hands object_store's HTTP stores one shared client, so that `http(s)://` locations, each
/// its own store (a URL keeps its query: a signature, a SAS token), reuse connections.
#[derive(Debug)]
struct SharedClient(HttpClient);

impl HttpConnector for SharedClient {
    fn connect(&self, _: &ClientOptions) -> object_store::Result<HttpClient> {
        Ok(self.0.clone())
    }
}

impl RemoteReader {
    /// A reader with `config`.
    ///
    /// # Errors
    ///
    /// When the HTTP client cannot be built (its TLS setup), and the errors of
    /// [`AwsProfile::from_env_files`] when `config` has no profile.
    pub fn new(config: RemoteConfig) -> io::Result<RemoteReader> {
        let aws = match &config.aws_profile {
            Some(profile) => profile.clone(),
            None => AwsProfile::from_env_files()?,
        };
        let options = ClientOptions::new()
            .with_timeout(config.timeout)
            .with_connect_timeout(config.timeout)
            .with_allow_http(true);
        let http = ReqwestConnector::default()
            .connect(&options)
            .map_err(io::Error::other)?;
        Ok(RemoteReader {
            permits: Semaphore::new(config.concurrency.max(1)),
            config,
            stores: Mutex::new(HashMap::new()),
            http,
            aws,
        })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &RemoteConfig {
        &self.config
    }

    fn retry(&self) -> RetryConfig {
        RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(5),
                base: 2.0,
            },
            max_retries: self.config.retries,
            // Every attempt may take the whole timeout.
            retry_timeout: self
                .config
                .timeout
                .saturating_mul(u32::try_from(self.config.retries + 1).unwrap_or(u32::MAX)),
        }
    }

    /// The store and the object's path of `location`.
    fn object(
        &self,
        location: &Location,
    ) -> Result<(Arc<dyn ObjectStore>, StorePath), RemoteError> {
        let text = location.as_str();
        match location.kind() {
            LocationKind::Http | LocationKind::Https | LocationKind::Azure => {
                let store = HttpBuilder::new()
                    .with_url(text)
                    .with_retry(self.retry())
                    .with_http_connector(SharedClient(self.http.clone()))
                    .build()
                    .map_err(|error| RemoteError::Other(error.to_string()))?;
                Ok((Arc::new(store), StorePath::default()))
            }
            LocationKind::S3 | LocationKind::Gs | LocationKind::Gcs => {
                let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                let key = key.split(['?', '#']).next().unwrap_or_default();
                if key.is_empty() {
                    return Err(RemoteError::NoKey);
                }
                let path = StorePath::parse(key).map_err(|error| {
                    RemoteError::Other(format!(
                        "its key {} cannot be requested: {error}",
                        quoted(key)
                    ))
                })?;
                let s3 = location.kind() == LocationKind::S3;
                let name = format!("{}://{bucket}", if s3 { "s3" } else { "gs" });
                let mut stores = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(store) = stores.get(&name) {
                    return Ok((Arc::clone(store), path));
                }
                let store = if s3 {
                    self.s3_store(bucket)?
                } else {
                    self.gcs_store(bucket)?
                };
                stores.insert(name, Arc::clone(&store));
                Ok((store, path))
            }
            _ => Err(RemoteError::Other(
                "it is no location this tool reads remotely".to_owned(),
            )),
        }
    }

    fn timeouts(&self) -> [(ClientConfigKey, String); 2] {
        let timeout = format!("{}ms", self.config.timeout.as_millis());
        [
            (ClientConfigKey::Timeout, timeout.clone()),
            (ClientConfigKey::ConnectTimeout, timeout),
        ]
    }

    fn s3_store(&self, bucket: &str) -> Result<Arc<dyn ObjectStore>, RemoteError> {
        let cannot = |error: &dyn fmt::Display| {
            RemoteError::Other(format!(
                "cannot set up the S3 client for bucket {bucket}: {error}"
            ))
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(self.retry());
        for (key, value) in self.timeouts() {
            builder = builder.with_config(AmazonS3ConfigKey::Client(key), value);
        }
        for (key, value) in &self.config.s3_options {
            let key: AmazonS3ConfigKey = key.parse().map_err(|error| cannot(&error))?;
            builder = builder.with_config(key, value);
        }
        builder = self.with_aws_files(builder);
        // An S3-compatible server on this machine or the network is often plain http.
        let plain_http = [AmazonS3ConfigKey::Endpoint, AmazonS3ConfigKey::S3Endpoint]
            .iter()
            .filter_map(|key| builder.get_config_value(key))
            .any(|endpoint| endpoint.starts_with("http://"));
        if plain_http {
            builder = builder.with_allow_http(true);
        }
        Ok(Arc::new(builder.build().map_err(|error| cannot(&error))?))
    }

    /// `builder` with what the shared AWS files say where the environment and the options
    /// said nothing: the keys together (never one from each), the region, the endpoint.
    fn with_aws_files(&self, mut builder: AmazonS3Builder) -> AmazonS3Builder {
        let aws = &self.aws;
        let unset = |builder: &AmazonS3Builder, key: AmazonS3ConfigKey| {
            builder.get_config_value(&key).is_none()
        };
        if unset(&builder, AmazonS3ConfigKey::AccessKeyId)
            && unset(&builder, AmazonS3ConfigKey::SecretAccessKey)
            && let (Some(id), Some(secret)) = (&aws.access_key_id, &aws.secret_access_key)
        {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
            if let Some(token) = &aws.session_token {
                builder = builder.with_token(token);
            }
        }
        if unset(&builder, AmazonS3ConfigKey::Region)
            && let Some(region) = &aws.region
        {
            builder = builder.with_region(region);
        }
        if unset(&builder, AmazonS3ConfigKey::Endpoint)
            && unset(&builder, AmazonS3ConfigKey::S3Endpoint)
            && let Some(endpoint) = &aws.endpoint_url
        {
            builder = builder.with_endpoint(endpoint);
        }
        builder
    }

    fn gcs_store(&self, bucket: &str) -> Result<Arc<dyn ObjectStore>, RemoteError> {
        let mut builder = GoogleCloudStorageBuilder::from_env()
            .with_bucket_name(bucket)
            .with_retry(self.retry());
        for (key, value) in self.timeouts() {
            builder = builder.with_config(GoogleConfigKey::Client(key), value);
        }
        let store = builder.build().map_err(|error| {
            RemoteError::Other(format!(
                "cannot set up the Google Cloud Storage client for bucket {bucket}: {error}"
            ))
        })?;
        Ok(Arc::new(store))
    }

    /// The first `len` bytes of `location`'s object (fewer when it is shorter), and its size.
    ///
    /// # Errors
    ///
    /// Every [`RemoteError`].
    pub async fn prefix(&self, location: &Location, len: u64) -> Result<Prefix, RemoteError> {
        let (store, path) = self.object(location)?;
        let _permit = self.permit().await?;
        let options = GetOptions::new().with_range(Some(GetRange::Bounded(0..len.max(1))));
        let result = match store.get_opts(&path, options).await {
            Ok(result) => result,
            Err(error) => {
                // An empty object has no byte 0 to give (416); ask its size before saying so.
                let error = self.error(&error, location);
                if !matches!(error, RemoteError::Other(_)) {
                    return Err(error);
                }
                return match store
                    .get_opts(&path, head())
                    .await
                    .map(|result| result.meta)
                {
                    Ok(meta) if meta.size == 0 => Ok(Prefix {
                        bytes: Vec::new(),
                        size: 0,
                    }),
                    _ => Err(error),
                };
            }
        };
        let size = result.meta.size;
        let bytes = result
            .bytes()
            .await
            .map_err(|error| self.error(&error, location))?;
        Ok(Prefix {
            bytes: bytes.to_vec(),
            size,
        })
    }

    /// The size of `location`'s object (a HEAD request: nothing of it is read).
    ///
    /// # Errors
    ///
    /// Every [`RemoteError`].
    pub async fn size(&self, location: &Location) -> Result<u64, RemoteError> {
        let (store, path) = self.object(location)?;
        let _permit = self.permit().await?;
        let result = store
            .get_opts(&path, head())
            .await
            .map_err(|error| self.error(&error, location))?;
        Ok(result.meta.size)
    }

    /// All of `location`'s object.
    ///
    /// # Errors
    ///
    /// Every [`RemoteError`].
    pub async fn all(&self, location: &Location) -> Result<Vec<u8>, RemoteError> {
        let (store, path) = self.object(location)?;
        let _permit = self.permit().await?;
        let result = store
            .get_opts(&path, GetOptions::new())
            .await
            .map_err(|error| self.error(&error, location))?;
        let bytes = result
            .bytes()
            .await
            .map_err(|error| self.error(&error, location))?;
        Ok(bytes.to_vec())
    }

    /// What object_store's `error` about `location` means for a reader of the object.
    fn error(&self, error: &object_store::Error, location: &Location) -> RemoteError {
        match error {
            object_store::Error::NotFound { .. } => return RemoteError::NotFound,
            object_store::Error::PermissionDenied { .. } => {
                return RemoteError::Denied {
                    s3: location.kind() == LocationKind::S3,
                };
            }
            object_store::Error::Unauthenticated { .. } => return RemoteError::Unauthenticated,
            _ => {}
        }
        let mut source = error.source();
        while let Some(cause) = source {
            if cause
                .downcast_ref::<HttpError>()
                .is_some_and(|http| http.kind() == HttpErrorKind::Timeout)
            {
                return RemoteError::TimedOut {
                    timeout: self.config.timeout,
                    attempts: self.config.retries + 1,
                };
            }
            source = cause.source();
        }
        RemoteError::Other(error.to_string())
    }
}

impl RemoteReader {
    /// One of the `concurrency` permits to make a request.
    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, RemoteError> {
        self.permits
            .acquire()
            .await
            .map_err(|error| RemoteError::Other(error.to_string()))
    }
}

/// A HEAD request's options.
fn head() -> GetOptions {
    let mut options = GetOptions::new();
    options.head = true;
    options
}
