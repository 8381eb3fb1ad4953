//! The reference-id index of the dataset rules: every distinct id once, with where it was first
//! seen, in as little memory as a check of tens of millions of items allows.
//!
//! A `HashMap<Box<str>, Position>` costs one heap allocation per id plus a 33-byte bucket, and
//! while the table doubles the old and the new bucket arrays live together: 8.6 million ids
//! peaked at about 890 MB that way, against 300 MB here. An id and its position are one record
//! appended to an [`Arena`] of fixed-size blocks (never one huge `Vec` that doubles; a record
//! never spans blocks, a record longer than a block gets a block of its own), and the hash
//! tables hold only an 8-byte [`Slot`] (block and offset of the record). The tables are split by
//! hash bits into [`N_TABLES`] parts that grow one at a time, so a resize keeps only one part's
//! old buckets alive next to the rest.
//!
//! Record layout: `len` (varint), the id's bytes, `line` (varint), `input` (varint).

use std::fmt;
use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use crate::Position;

/// Bytes per arena block. Offsets within a block fit in the low 16 bits of a [`Slot`].
const BLOCK_BYTES: usize = 1 << 16;

/// Number of hash tables the ids are spread over (a power of two).
const N_TABLES: usize = 64;

/// Set of distinct ids, each with the position it was first seen at; see the module docs.
#[derive(Clone, Default)]
pub(crate) struct IdIndex {
    hash_state: RandomState,
    tables: Vec<HashTable<Slot>>,
    arena: Arena,
    len: usize,
}

/// Where a record starts: `block << 16 | offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slot(u64);

/// Records in fixed-size blocks; see the module docs.
#[derive(Debug, Clone, Default)]
struct Arena {
    blocks: Vec<Vec<u8>>,
    /// The block small records are appended to (long records get blocks after it).
    current: Option<usize>,
}

/// One decoded record.
struct Record<'a> {
    id: &'a [u8],
    position: Position,
    /// Bytes the record takes in its block.
    size: usize,
}

impl IdIndex {
    /// Number of distinct ids.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Where `id` was first seen, if it was.
    pub(crate) fn get(&self, id: &str) -> Option<Position> {
        let hash = self.hash(id.as_bytes());
        let table = self.tables.get(table_of(hash))?;
        let slot = table.find(hash, |&slot| self.arena.id(slot) == Some(id.as_bytes()))?;
        Some(self.arena.record(*slot)?.position)
    }

    /// Records that `id` is seen at `position`, unless it was seen before: then returns where it
    /// was first seen and changes nothing.
    pub(crate) fn insert_first(&mut self, id: &str, position: Position) -> Option<Position> {
        let hash = self.hash(id.as_bytes());
        if self.tables.is_empty() {
            self.tables = (0..N_TABLES).map(|_| HashTable::new()).collect();
        }
        let Self {
            hash_state,
            tables,
            arena,
            len,
        } = self;
        let table = tables.get_mut(table_of(hash))?;
        let entry = table.entry(
            hash,
            |&slot| arena.id(slot) == Some(id.as_bytes()),
            // On a resize every id is hashed again from its record. Keeping the hash in the
            // entry instead (16 bytes, no arena reads) was as fast on 8.6 million ids but
            // peaked at 430 MB against 300 MB.
            |&slot| hash_state.hash_one(arena.id(slot).unwrap_or_default()),
        );
        match entry {
            Entry::Occupied(first) => arena.record(*first.get()).map(|record| record.position),
            Entry::Vacant(vacant) => {
                // Only on an arena of more than 2^48 blocks, which memory rules out.
                if let Some(slot) = arena.push(id.as_bytes(), position) {
                    vacant.insert(slot);
                    *len += 1;
                }
                None
            }
        }
    }

    /// Every id with its first position, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Position)> {
        self.arena.iter().filter_map(|record| {
            let id = std::str::from_utf8(record.id).ok()?;
            Some((id, record.position))
        })
    }

    fn hash(&self, id: &[u8]) -> u64 {
        self.hash_state.hash_one(id)
    }
}

impl fmt::Debug for IdIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdIndex")
            .field("len", &self.len)
            .field("blocks", &self.arena.blocks.len())
            .finish_non_exhaustive()
    }
}

/// Which table holds ids of this hash: bits 32 and up, which the table itself does not use
/// (it takes its bucket from the low bits and its 7-bit tag from the top ones) until it has
/// 2^32 buckets.
fn table_of(hash: u64) -> usize {
    // Truncation is intended: only the low bits of the shifted hash are kept.
    (hash >> 32) as usize % N_TABLES
}

impl Arena {
    /// Appends a record and returns where it starts.
    fn push(&mut self, id: &[u8], position: Position) -> Option<Slot> {
        let len = u64::try_from(id.len()).ok()?;
        let input = u64::try_from(position.input).ok()?;
        let size = varint_size(len) + id.len() + varint_size(position.line) + varint_size(input);

        let fits = |block: &Vec<u8>| block.len() + size <= BLOCK_BYTES;
        let current = self
            .current
            .filter(|&idx| self.blocks.get(idx).is_some_and(fits));
        let block_idx = match current {
            Some(idx) => idx,
            None if size > BLOCK_BYTES => {
                // A long record gets a block of its own; small ones keep filling the current one.
                self.blocks.push(Vec::with_capacity(size));
                self.blocks.len() - 1
            }
            None => {
                self.blocks.push(Vec::with_capacity(BLOCK_BYTES));
                self.current = Some(self.blocks.len() - 1);
                self.blocks.len() - 1
            }
        };
        let block = self.blocks.get_mut(block_idx)?;
        let offset = block.len();
        // Written in place: the block was allocated at its full size, so this never copies it.
        write_varint(block, len);
        block.extend_from_slice(id);
        write_varint(block, position.line);
        write_varint(block, input);
        Slot::new(block_idx, offset)
    }

    fn id(&self, slot: Slot) -> Option<&[u8]> {
        let (block, offset) = slot.parts();
        let bytes = self.blocks.get(block)?.get(offset..)?;
        let (len, rest) = read_varint(bytes)?;
        rest.get(..usize::try_from(len).ok()?)
    }

    fn record(&self, slot: Slot) -> Option<Record<'_>> {
        let (block, offset) = slot.parts();
        decode(self.blocks.get(block)?.get(offset..)?)
    }

    fn iter(&self) -> impl Iterator<Item = Record<'_>> {
        self.blocks.iter().flat_map(|block| {
            let mut rest = block.as_slice();
            std::iter::from_fn(move || {
                let record = decode(rest)?;
                rest = rest.get(record.size..)?;
                Some(record)
            })
        })
    }
}

impl Slot {
    fn new(block: usize, offset: usize) -> Option<Slot> {
        let block = u64::try_from(block).ok().filter(|&block| block < 1 << 48)?;
        let offset = u64::try_from(offset)
            .ok()
            .filter(|&offset| offset < 1 << 16)?;
        Some(Slot(block << 16 | offset))
    }

    fn parts(self) -> (usize, usize) {
        let block = usize::try_from(self.0 >> 16).unwrap_or(usize::MAX);
        let offset = usize::try_from(self.0 & 0xffff).unwrap_or(usize::MAX);
        (block, offset)
    }
}

/// The record at the start of `bytes`.
fn decode(bytes: &[u8]) -> Option<Record<'_>> {
    let (len, rest) = read_varint(bytes)?;
    let len = usize::try_from(len).ok()?;
    let id = rest.get(..len)?;
    let (line, rest) = read_varint(rest.get(len..)?)?;
    let (input, rest) = read_varint(rest)?;
    Some(Record {
        id,
        position: Position {
            input: usize::try_from(input).ok()?,
            line,
        },
        size: bytes.len() - rest.len(),
    })
}

/// LEB128: seven bits a byte, low bits first, the high bit set on all but the last byte.
fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value & 0x7f) as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn varint_size(value: u64) -> usize {
    // 1 byte for 0..=127, then one more per further 7 bits (at most 10).
    let bits = 64 - value.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

fn read_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0_u64;
    for (idx, &byte) in bytes.iter().enumerate().take(10) {
        value |= u64::from(byte & 0x7f) << (7 * idx);
        if byte & 0x80 == 0 {
            return Some((value, bytes.get(idx + 1..)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn position(input: usize, line: u64) -> Position {
        Position { input, line }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String, Position),
        Get(String),
    }

    /// Ids from a small alphabet (so many repeat), unicode, empty, and long ones (some longer
    /// than a block, many that end a block).
    fn id() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-c]{0,3}",
            2 => "[a-zé日🦀\u{0}\"\\\\]{0,12}",
            1 => (0_usize..200, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
            1 => (BLOCK_BYTES - 40..BLOCK_BYTES + 40, "[xy]")
                .prop_map(|(n, c)| c.repeat(n)),
            1 => (1_000_usize..20_000).prop_map(|n| "z".repeat(n)),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        let position = (0_usize..3, prop_oneof![0_u64..200, any::<u64>()])
            .prop_map(|(input, line)| Position { input, line });
        prop_oneof![
            3 => (id(), position).prop_map(|(id, position)| Op::Insert(id, position)),
            1 => id().prop_map(Op::Get),
        ]
    }

    proptest! {
        // Each case builds a fresh 64-table index: a quarter of PROPTEST_CASES (64 of CI's 256).
        #![proptest_config(ProptestConfig {
            cases: ProptestConfig::default().cases.div_ceil(4),
            ..ProptestConfig::default()
        })]
        #[test]
        fn agrees_with_a_hash_map(ops in proptest::collection::vec(op(), 0..300)) {
            let mut index = IdIndex::default();
            let mut model: HashMap<String, Position> = HashMap::new();
            for op in ops {
                match op {
                    Op::Insert(id, position) => {
                        let expected = model.get(&id).copied();
                        model.entry(id.clone()).or_insert(position);
                        prop_assert_eq!(index.insert_first(&id, position), expected);
                    }
                    Op::Get(id) => prop_assert_eq!(index.get(&id), model.get(&id).copied()),
                }
                prop_assert_eq!(index.len(), model.len());
            }
            let mut listed: Vec<(String, Position)> =
                index.iter().map(|(id, position)| (id.to_owned(), position)).collect();
            listed.sort();
            let mut expected: Vec<(String, Position)> = model.into_iter().collect();
            expected.sort();
            prop_assert_eq!(listed, expected);
        }
    }

    #[test]
    fn many_ids_fill_many_blocks_and_survive_resizes() {
        let mut index = IdIndex::default();
        for n in 0..200_000_u64 {
            assert_eq!(index.insert_first(&n.to_string(), position(0, n + 1)), None);
        }
        assert!(index.arena.blocks.len() > 10);
        for n in (0..200_000_u64).step_by(997) {
            let id = n.to_string();
            assert_eq!(index.get(&id), Some(position(0, n + 1)));
            assert_eq!(
                index.insert_first(&id, position(1, 1)),
                Some(position(0, n + 1))
            );
        }
        assert_eq!(index.get("x"), None);
        assert_eq!(index.len(), 200_000);
        assert_eq!(index.iter().count(), 200_000);
    }

    #[test]
    fn a_long_id_does_not_end_the_block_short_ids_fill() {
        let mut index = IdIndex::default();
        index.insert_first("a", position(0, 1));
        let long = "l".repeat(BLOCK_BYTES * 2);
        index.insert_first(&long, position(0, 2));
        index.insert_first("b", position(0, 3));
        assert_eq!(index.arena.blocks.len(), 2);
        assert_eq!(index.get(&long), Some(position(0, 2)));
        assert_eq!(index.get("b"), Some(position(0, 3)));
    }

    #[test]
    fn varints_round_trip() {
        for value in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut bytes = Vec::new();
            write_varint(&mut bytes, value);
            bytes.push(7);
            assert_eq!(bytes.len(), varint_size(value) + 1);
            assert_eq!(read_varint(&bytes), Some((value, &[7_u8][..])));
        }
        assert_eq!(read_varint(&[0x80, 0x80]), None);
    }
}
