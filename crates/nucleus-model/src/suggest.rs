//! "Did you mean …?" suggestions for misspelt names.

/// The candidate closest to `word` by edit distance, when it is close enough to be a likely typo
/// (at most a third of the word's length, and at least one edit) and not `word` itself.
#[must_use]
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Called for every unknown key of every item: the distance to each candidate is computed
    // only as far as it can still be within the limit, in buffers shared by all candidates.
    let word_chars: Vec<char> = word.chars().collect();
    let limit = (word_chars.len() / 3).max(1);
    let mut rows = Rows::default();
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == word {
            continue;
        }
        let bound = best.map_or(limit, |(distance, _)| distance.saturating_sub(1));
        if let Some(distance) = rows.distance_within(&word_chars, candidate, bound) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The rows of [`edit_distance`]'s table and the candidate's characters, kept between
/// candidates.
#[derive(Default)]
struct Rows {
    candidate: Vec<char>,
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl Rows {
    /// [`edit_distance`] of `a` and `b` when it is at most `bound`, `None` otherwise.
    fn distance_within(&mut self, a: &[char], b: &str, bound: usize) -> Option<usize> {
        self.candidate.clear();
        self.candidate.extend(b.chars());
        let b = &self.candidate;
        // The distance is at least the difference of the lengths.
        if a.len().abs_diff(b.len()) > bound || histogram_bound(a, b) > bound {
            return None;
        }
        let (before, previous, current) = (&mut self.before, &mut self.previous, &mut self.current);
        before.clear();
        before.resize(b.len() + 1, 0);
        previous.clear();
        previous.extend(0..=b.len());
        current.clear();
        current.resize(b.len() + 1, 0);
        for (i, &ca) in a.iter().enumerate() {
            let mut row_min = i + 1;
            if let Some(first) = current.first_mut() {
                *first = i + 1;
            }
            for (j, &cb) in b.iter().enumerate() {
                let cost = usize::from(ca != cb);
                let at = |row: &[usize], idx: usize| row.get(idx).copied().unwrap_or(usize::MAX);
                let mut best = at(previous, j)
                    .saturating_add(cost)
                    .min(at(previous, j + 1).saturating_add(1))
                    .min(at(current, j).saturating_add(1));
                if i > 0 && j > 0 && b.get(j - 1) == Some(&ca) && a.get(i - 1) == Some(&cb) {
                    best = best.min(at(before, j - 1).saturating_add(1));
                }
                if let Some(slot) = current.get_mut(j + 1) {
                    *slot = best;
                }
                row_min = row_min.min(best);
            }
            // Every later cell comes from this row or the one before, never decreasing.
            let previous_min = previous.iter().copied().min().unwrap_or(0);
            if row_min > bound && previous_min > bound {
                return None;
            }
            std::mem::swap(before, previous);
            std::mem::swap(previous, current);
        }
        previous
            .get(b.len())
            .copied()
            .filter(|&distance| distance <= bound)
    }
}

/// A lower bound of [`edit_distance`]: the characters of one word the other lacks (counted in
/// 64 buckets). Each edit changes the difference of the counts by at most one per side, so most
/// candidates are ruled out before any table is filled.
fn histogram_bound(a: &[char], b: &[char]) -> usize {
    let mut counts = [0i32; 64];
    let bucket = |c: char| (u32::from(c) % 64) as usize;
    for &c in a {
        if let Some(count) = counts.get_mut(bucket(c)) {
            *count += 1;
        }
    }
    for &c in b {
        if let Some(count) = counts.get_mut(bucket(c)) {
            *count -= 1;
        }
    }
    let surplus: i32 = counts.iter().filter(|&&n| n > 0).sum();
    let deficit: i32 = counts.iter().filter(|&&n| n < 0).map(|&n| -n).sum();
    usize::try_from(surplus.max(deficit)).unwrap_or(0)
}

/// Levenshtein distance over characters (insertions, deletions, substitutions), with adjacent
/// transpositions counted as one edit since they are the most common typo.
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let mut best = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
            if i > 0 && j > 0 && ca == b[j - 1] && a[i - 1] == cb {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("image_locaton", "image_location"), 1);
        assert_eq!(edit_distance("refernece_id", "reference_id"), 1);
    }

    /// `closest` as its doc says it, the slow way.
    fn naive_closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let limit = (word.chars().count() / 3).max(1);
        candidates
            .iter()
            .filter(|candidate| **candidate != word)
            .map(|candidate| (edit_distance(word, candidate), *candidate))
            .filter(|(distance, _)| *distance <= limit)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, candidate)| candidate)
    }

    proptest::proptest! {
        #[test]
        fn the_closest_is_the_first_of_the_least_distance(
            word in "[abc_é]{0,9}",
            candidates in proptest::collection::vec("[abc_é]{0,9}", 0..8),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(
                closest(&word, candidates.iter().copied()),
                naive_closest(&word, &candidates)
            );
        }
    }

    #[test]
    fn suggests_only_close_names() {
        let known = ["image_location", "reference_id", "metadata"];
        assert_eq!(closest("image_locaton", known), Some("image_location"));
        assert_eq!(closest("metdata", known), Some("metadata"));
        assert_eq!(closest("colour", known), None);
        assert_eq!(closest("metadata", known), None);
    }
}
