//! The second pass that makes a merge exact when shards disagreed on a key's kind.
//!
//! A shard cannot know which of its values a later merge will call a `type-conflict`: when an
//! earlier shard decided that a key holds strings and a later one that it holds numbers, every
//! number of the later shard conflicts, and the merge only knows how many there are
//! ([`ShardCheck::merge`] summarises them). [`ShardCheck::conflict_plan`] names those keys with
//! the kind the whole dataset decided; a [`ConflictReplay`] reads the data again with that plan
//! (any split, each part numbered from its own line 1, merged in dataset order like the
//! states) and lists each such value; [`ShardCheck::apply_replay`] puts the listed findings in
//! place of the summaries. The replay reads lines and items as the check did (same rules, same
//! line handling) but keeps nothing but the listed findings.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Fact, RecordCheck, ShardCheck, check_record, position};
use crate::dataset::{Observed, short};
use crate::fast::LineCheck;
use crate::{Error, ItemRules, Kind};

/// The version of [`ConflictReplay::to_bytes`]'s format.
const FORMAT_VERSION: u32 = 1;

/// What a second pass needs to list the type conflicts a merge summarised: the item rules and,
/// per key, the kind the whole dataset decided. Small (one entry per such key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictPlan {
    remote_only: bool,
    require_dimensions: bool,
    /// Sorted by key.
    keys: Vec<(Box<str>, Kind)>,
}

impl ConflictPlan {
    /// Whether there is nothing to list (the merge was exact).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys whose conflicts are listed again, with the kind the dataset decided for each.
    pub fn keys(&self) -> impl Iterator<Item = (&str, Kind)> {
        self.keys.iter().map(|(key, kind)| (&**key, *kind))
    }

    fn decided(&self, key: &str) -> Option<Kind> {
        self.keys
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()
            .and_then(|idx| self.keys.get(idx))
            .map(|(_, kind)| *kind)
    }

    fn rules(&self) -> ItemRules {
        ItemRules::new()
            .remote_only(self.remote_only)
            .require_dimensions(self.require_dimensions)
    }
}

/// The type conflicts of a run of lines under a [`ConflictPlan`], numbered from the run's line
/// 1; merged in dataset order like [`ShardCheck`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictReplay {
    version: u32,
    plan: ConflictPlan,
    n_lines: u64,
    /// `Fact::TypeConflict`s, in line order.
    conflicts: Vec<Fact>,
    #[serde(skip)]
    rules: ItemRules,
}

impl ConflictReplay {
    /// An empty replay of `plan`.
    #[must_use]
    pub fn new(plan: ConflictPlan) -> ConflictReplay {
        ConflictReplay {
            version: FORMAT_VERSION,
            rules: plan.rules(),
            plan,
            n_lines: 0,
            conflicts: Vec::new(),
        }
    }

    /// The plan replayed.
    #[must_use]
    pub fn plan(&self) -> &ConflictPlan {
        &self.plan
    }

    /// Lines read so far, blank ones included.
    #[must_use]
    pub fn n_lines(&self) -> u64 {
        self.n_lines
    }

    /// Reads the next lines, as [`ShardCheck::update`] does.
    pub fn update<'a>(&mut self, lines: impl IntoIterator<Item = &'a str>) {
        self.update_records(lines.into_iter().map(|text| Some(text.as_bytes())));
    }

    /// Reads the next records, as [`ShardCheck::update_records`] does.
    pub fn update_records<'a>(&mut self, records: impl IntoIterator<Item = Option<&'a [u8]>>) {
        for record in records {
            self.n_lines += 1;
            let line = self.n_lines;
            let RecordCheck::Checked(check) = check_record(&self.rules, line, record) else {
                continue;
            };
            match check {
                LineCheck::Clean(item) => self.observe(line, &item),
                LineCheck::Read(reading) => {
                    if let Some(item) = &reading.item {
                        self.observe(line, item);
                    }
                }
            }
        }
    }

    fn observe(&mut self, line: u64, item: &impl Observed) {
        for (index, (key, kind, value)) in item.kinds().enumerate() {
            if kind.is_searchable()
                && let Some(decided) = self.plan.decided(key)
                && decided != kind
            {
                self.conflicts.push(Fact::TypeConflict {
                    line,
                    key: key.into(),
                    kind,
                    value: short(value).to_string(),
                    nth: position(index),
                });
            }
        }
    }

    /// Appends the replay of the lines that come right after these.
    ///
    /// # Errors
    ///
    /// [`Error::MismatchedReplay`] when `later` replays another plan.
    pub fn merge(&mut self, later: ConflictReplay) -> Result<(), Error> {
        if later.plan != self.plan {
            return Err(Error::MismatchedReplay(
                "the replays were made from different plans".to_owned(),
            ));
        }
        let offset = self.n_lines;
        self.n_lines += later.n_lines;
        self.conflicts
            .extend(later.conflicts.into_iter().map(|fact| fact.shifted(offset)));
        Ok(())
    }

    /// The replay as bytes (JSON), to send it between processes.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a replay written by [`ConflictReplay::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::MismatchedReplay`] when the bytes are not such a replay (or of another version).
    pub fn from_bytes(bytes: &[u8]) -> Result<ConflictReplay, Error> {
        let invalid = |message: String| Error::MismatchedReplay(message);
        let mut replay: ConflictReplay =
            serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        if replay.version != FORMAT_VERSION {
            return Err(invalid(format!(
                "format version {}, expected {FORMAT_VERSION}",
                replay.version
            )));
        }
        if replay
            .conflicts
            .iter()
            .any(|fact| !matches!(fact, Fact::TypeConflict { .. }))
        {
            return Err(invalid("a replay lists type conflicts only".to_owned()));
        }
        replay.rules = replay.plan.rules();
        Ok(replay)
    }
}

impl ShardCheck {
    /// Whether [`ShardCheck::finish`] gives exactly the findings of one sequential run: true
    /// unless a merge summarised type conflicts (see the module docs); then a
    /// [`ConflictReplay`] of [`ShardCheck::conflict_plan`] makes it exact.
    #[must_use]
    pub fn is_exact(&self) -> bool {
        !self
            .dataset_findings
            .iter()
            .any(|fact| matches!(fact, Fact::TypeConflicts { .. }))
    }

    /// The keys whose type conflicts a merge summarised, with the kind the whole dataset
    /// decided for each; empty when the state [is exact](ShardCheck::is_exact).
    #[must_use]
    pub fn conflict_plan(&self) -> ConflictPlan {
        let mut keys: Vec<(Box<str>, Kind)> = self
            .dataset_findings
            .iter()
            .filter_map(|fact| match fact {
                Fact::TypeConflicts { key, .. } => {
                    let (decided, _) = self.keys.get(key)?.first_searchable()?;
                    Some((key.clone(), decided))
                }
                _ => None,
            })
            .collect();
        keys.sort();
        keys.dedup();
        ConflictPlan {
            remote_only: self.rules.remote_only,
            require_dimensions: self.rules.require_dimensions,
            keys,
        }
    }

    /// Replaces every type conflict of the plan's keys, summarised or not, with the ones
    /// `replay` lists; the state is then exact.
    ///
    /// # Errors
    ///
    /// [`Error::MismatchedReplay`] when `replay` is not of this state's current plan or does
    /// not cover all of its lines (the state is left as it was).
    pub fn apply_replay(&mut self, replay: ConflictReplay) -> Result<(), Error> {
        if replay.plan != self.conflict_plan() {
            return Err(Error::MismatchedReplay(
                "the replay was made from another plan than this state's".to_owned(),
            ));
        }
        if replay.n_lines != self.n_lines {
            return Err(Error::MismatchedReplay(format!(
                "the replay read {} lines, the state {}",
                replay.n_lines, self.n_lines
            )));
        }
        let keys: HashSet<&str> = replay.plan.keys().map(|(key, _)| key).collect();
        self.dataset_findings.retain(|fact| match fact {
            Fact::TypeConflict { key, .. } | Fact::TypeConflicts { key, .. } => {
                !keys.contains(&**key)
            }
            Fact::Duplicate { .. } | Fact::MixedKinds { .. } => true,
        });
        self.dataset_findings.extend(replay.conflicts);
        Ok(())
    }
}
