//! Fuzzing the line reader on stable Rust: arbitrary bytes (rich in newlines, carriage returns,
//! byte order marks and invalid UTF-8) read with random chunk sizes, read sizes, line limits and
//! thread counts must give exactly the lines of a simple reference reader, and never panic or
//! hang. CI runs 256 cases; `PROPTEST_CASES=100000 cargo test -p nucleus-metadata fuzz` for a
//! long run.

use std::io::{self, Read};
use std::ops::ControlFlow;

use nucleus_lines::{Event, StreamConfig, for_each_line};
use nucleus_model::Code;
use proptest::prelude::*;

type Outcome = (u64, Result<String, (Code, String)>);

/// A reader that hands out at most `max_read` bytes per call and is sometimes interrupted,
/// as pipes and sockets are.
struct Trickle<'a> {
    bytes: &'a [u8],
    max_read: usize,
    n_calls: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.n_calls += 1;
        if self.n_calls.is_multiple_of(7) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = self.max_read.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn run(input: &[u8], config: &StreamConfig, max_read: usize) -> (Vec<Outcome>, u64, u64) {
    let mut out = Vec::new();
    let reader = Trickle {
        bytes: input,
        max_read,
        n_calls: 0,
    };
    let stats = for_each_line(
        reader,
        config,
        |_, text| text.to_owned(),
        |event| {
            if let Event::Line { line, result } = event {
                out.push((line, result.map_err(|d| (d.code, d.message))));
            }
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    (out, stats.lines, stats.bytes)
}

/// The line rules of the `stream` module docs, written as plainly as possible.
fn reference(input: &[u8], max_line_bytes: usize) -> (Vec<Outcome>, u64) {
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    if pieces.last() == Some(&&b""[..]) {
        pieces.pop();
    }
    let mut out = Vec::new();
    for (number, raw) in (1u64..).zip(&pieces) {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > max_line_bytes {
            let message = format!(
                "line is {} bytes long, more than the limit of {max_line_bytes}; raise --max-line-bytes to read it",
                raw.len()
            );
            out.push((number, Err((Code::LineTooLong, message))));
            continue;
        }
        if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            continue;
        }
        match std::str::from_utf8(raw) {
            Ok(text) => out.push((number, Ok(text.to_owned()))),
            Err(error) => {
                let message = format!(
                    "line is not valid UTF-8 at byte column {}; re-encode the file as UTF-8",
                    error.valid_up_to() + 1
                );
                out.push((number, Err((Code::InvalidUtf8, message))));
            }
        }
    }
    (out, pieces.len() as u64)
}

fn line_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            &b"\n"[..], b"\r\n", b"\r", b" ", b"\t", b"\xEF\xBB\xBF", b"\xff", b"\xc3", b"\xc3\xa9",
            b"{}", b"abc", b"\0", b"\xe2\x82\xac",
        ])
        .prop_map(<[u8]>::to_vec),
        2 => "[a-z{}\":,]{1,12}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 1..8),
    ];
    (any::<bool>(), prop::collection::vec(piece, 0..40)).prop_map(|(bom, pieces)| {
        let mut bytes = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(pieces.concat());
        bytes
    })
}

proptest! {
    #[test]
    fn fuzz_line_reader_matches_the_reference(
        input in line_bytes(),
        chunk_bytes in 1usize..40,
        max_read in 1usize..50,
        max_line_bytes in 1usize..24,
        jobs in 1usize..4,
    ) {
        let config = StreamConfig::default()
            .jobs(jobs)
            .chunk_bytes(chunk_bytes)
            .max_line_bytes(max_line_bytes);
        let (out, lines, bytes) = run(&input, &config, max_read);
        let (expected, expected_lines) = reference(&input, max_line_bytes);
        prop_assert_eq!(out, expected);
        prop_assert_eq!(lines, expected_lines);
        prop_assert_eq!(bytes, input.len() as u64);
    }

    #[test]
    fn fuzz_line_reader_arbitrary_bytes(
        input in prop::collection::vec(any::<u8>(), 0..300),
        chunk_bytes in 1usize..64,
        max_line_bytes in 1usize..64,
    ) {
        let config = StreamConfig::default()
            .jobs(2)
            .chunk_bytes(chunk_bytes)
            .max_line_bytes(max_line_bytes);
        let (out, lines, _) = run(&input, &config, 1 << 16);
        let (expected, expected_lines) = reference(&input, max_line_bytes);
        prop_assert_eq!(out, expected);
        prop_assert_eq!(lines, expected_lines);
    }
}
