//! Per-metadata-key state for the dataset rules, looked up cheaply item after item.

use std::collections::HashMap;

use foldhash::fast::RandomState;

/// A map from metadata key to `V` that remembers where the previous item's keys were: items of
/// a dataset mostly repeat the same keys in the same order, so the i-th key of an item is first
/// compared with the i-th key of the previous item (one string comparison) and hashed only when
/// it differs. Slots are stable: a key keeps its slot for the life of the table.
#[derive(Debug, Clone)]
pub(crate) struct KeyTable<V> {
    index: HashMap<Box<str>, usize, RandomState>,
    names: Vec<Box<str>>,
    values: Vec<V>,
    /// The slots of the previous item's keys, in its order.
    recent: Vec<usize>,
}

impl<V> Default for KeyTable<V> {
    fn default() -> Self {
        KeyTable {
            index: HashMap::default(),
            names: Vec::new(),
            values: Vec::new(),
            recent: Vec::new(),
        }
    }
}

impl<V: Default> KeyTable<V> {
    /// The slot of `key`, the `nth` key of the current item (0-based, counted in order), added
    /// with a default value when new.
    pub(crate) fn slot(&mut self, nth: usize, key: &str) -> usize {
        if let Some(&slot) = self.recent.get(nth)
            && self.names.get(slot).is_some_and(|name| **name == *key)
        {
            return slot;
        }
        let slot = match self.index.get(key) {
            Some(&slot) => slot,
            None => self.insert(key),
        };
        match self.recent.get_mut(nth) {
            Some(recent) => *recent = slot,
            None => self.recent.push(slot),
        }
        slot
    }

    /// The value of `key`, added with a default value when new (`None` never happens).
    pub(crate) fn entry(&mut self, key: &str) -> Option<&mut V> {
        let slot = match self.index.get(key) {
            Some(&slot) => slot,
            None => self.insert(key),
        };
        self.values.get_mut(slot)
    }

    fn insert(&mut self, key: &str) -> usize {
        let slot = self.values.len();
        self.index.insert(key.into(), slot);
        self.names.push(key.into());
        self.values.push(V::default());
        slot
    }
}

impl<V> KeyTable<V> {
    /// Every key and its value, in the order keys were added, consuming the table.
    pub(crate) fn into_entries(self) -> impl Iterator<Item = (Box<str>, V)> {
        self.names.into_iter().zip(self.values)
    }

    /// The value in `slot`.
    pub(crate) fn get_mut(&mut self, slot: usize) -> Option<&mut V> {
        self.values.get_mut(slot)
    }

    /// Every key and its value, in the order keys were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.names.iter().map(|name| &**name).zip(&self.values)
    }
}

impl<V: Default> FromIterator<(Box<str>, V)> for KeyTable<V> {
    fn from_iter<I: IntoIterator<Item = (Box<str>, V)>>(entries: I) -> Self {
        let mut table = KeyTable::default();
        for (key, value) in entries {
            if let Some(slot) = table.entry(&key) {
                *slot = value;
            }
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_stable_whatever_the_order_of_keys() {
        let mut table = KeyTable::<u32>::default();
        let items: [&[&str]; 4] = [
            &["a", "b", "c"],
            &["a", "b", "c"],
            &["c", "a"],
            &["b", "d", "a"],
        ];
        let mut seen = HashMap::new();
        for keys in items {
            for (nth, key) in keys.iter().enumerate() {
                let slot = table.slot(nth, key);
                assert_eq!(*seen.entry(*key).or_insert(slot), slot, "{key}");
                *table.get_mut(slot).unwrap() += 1;
            }
        }
        *table.entry("e").unwrap() += 10;
        *table.entry("a").unwrap() += 10;
        let counts: Vec<(&str, u32)> = table.iter().map(|(k, v)| (k, *v)).collect();
        assert_eq!(counts, [("a", 14), ("b", 3), ("c", 3), ("d", 1), ("e", 10)]);
    }
}
