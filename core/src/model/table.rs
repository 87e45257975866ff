//! The machinery behind the one list of fields ([`fields`](super::fields)): what a field is,
//! where its value is stored, and how a key finds its field.
//!
//! Everything here is computed at compile time from the list: the storage layout (each text
//! field's place in one byte arena, each number's slot), the perfect-hash key index of each
//! object, and the field masks. The decoder, the accessors, the JSON writer and the error
//! paths all read these tables; none of them names a field.

use core::fmt;

use super::fields::{ALIASES, FIELDS};

/// The objects (and the one array) the model knows. A key is looked up in the object it
/// appears in; deeper or unknown containers are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Ctx {
    /// The document: `{"data": …}` or `{"error": …}`.
    Root,
    /// `data`.
    Run,
    /// `data.meta`.
    Meta,
    /// `data.stats`.
    Stats,
    /// `data.options`.
    Options,
    /// `data.usage`.
    Usage,
    /// `data.usageUsd`.
    UsageUsd,
    /// `data.pricingInfo`.
    PricingInfo,
    /// `data.metamorphs` (an array).
    Metamorphs,
    /// An element of `data.metamorphs`.
    Metamorph,
    /// `error`.
    Error,
}

/// How many [`Ctx`] there are.
const CONTEXTS: usize = Ctx::Error as usize + 1;

impl Ctx {
    /// Where the object sits, for error messages.
    pub(crate) const fn path(self) -> &'static str {
        match self {
            Ctx::Root => "",
            Ctx::Run => "data",
            Ctx::Meta => "data.meta",
            Ctx::Stats => "data.stats",
            Ctx::Options => "data.options",
            Ctx::Usage => "data.usage",
            Ctx::UsageUsd => "data.usageUsd",
            Ctx::PricingInfo => "data.pricingInfo",
            Ctx::Metamorphs => "data.metamorphs",
            Ctx::Metamorph => "data.metamorphs[]",
            Ctx::Error => "error",
        }
    }
}

/// What a field holds, and so how it is decoded, stored and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// A lean build may use none of some kinds.
#[allow(dead_code)]
pub(crate) enum Kind {
    /// A string, kept up to `cap` bytes in the text arena, cut with a flag. Enum values are
    /// kept this way too and mapped to their variant when read.
    Text { cap: u16 },
    /// An RFC 3339 string, parsed when whole; one that is not a timestamp is flagged unfit.
    Timestamp,
    /// An integer from 0 to `u32::MAX`.
    U32,
    /// An integer from 0 to `u64::MAX`.
    U64,
    /// An integer from `i32::MIN` to `i32::MAX`.
    I32,
    /// An exact decimal ([`Decimal`](crate::Decimal)).
    Decimal,
    /// `true` or `false`.
    Bool,
    /// An object whose members are looked up in the context.
    Object(Ctx),
    /// An array whose elements are the context's element field.
    Array(Ctx),
    /// `error.data`: only its presence is kept, whatever its type.
    ErrorData,
}

impl Kind {
    /// The JSON type the field takes, for error messages.
    pub(crate) const fn expected(self) -> &'static str {
        match self {
            Kind::Text { .. } | Kind::Timestamp => "a string",
            Kind::U32 | Kind::U64 | Kind::I32 => "an integer",
            Kind::Decimal => "a number",
            Kind::Bool => "a boolean",
            Kind::Object(_) => "an object",
            Kind::Array(_) => "an array",
            Kind::ErrorData => "any value",
        }
    }

    /// Whether the field holds a value (see [`FieldValue`](super::FieldValue)).
    const fn is_value(self) -> bool {
        !matches!(self, Kind::Object(_) | Kind::Array(_) | Kind::ErrorData)
    }

    const fn is_number(self) -> bool {
        matches!(self, Kind::U32 | Kind::U64 | Kind::I32 | Kind::Decimal)
    }
}

/// One entry of the list: the object it belongs to, its JSON key, what it holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) ctx: Ctx,
    pub(crate) key: &'static str,
    pub(crate) kind: Kind,
}

/// How many fields the list has (in this build: features leave groups out).
pub(crate) const COUNT: usize = FIELDS.len();

const _: () = assert!(COUNT < Marker::SKIP as usize, "field indexes must leave room for the markers");
const _: () = assert!(COUNT + ALIASES.len() < u8::MAX as usize, "key indexes must fit a slot");

/// The decoder's `pending` states that are not fields.
pub(crate) struct Marker;

impl Marker {
    /// The document itself: the list's first entry, so that a new decoder is all zeros.
    pub(crate) const DOCUMENT: u8 = 0;
    /// A member nobody keeps (skipped whatever its size).
    pub(crate) const SKIP: u8 = 254;
    /// Between members: a key comes next.
    pub(crate) const NONE: u8 = 255;
}

const _: () = assert!(FIELDS[Marker::DOCUMENT as usize].key.is_empty(), "the list starts with the document");

/// A field's index in the list, found at compile time (a missing field fails the build).
pub(crate) const fn index(ctx: Ctx, key: &str) -> u8 {
    let mut i = 0;
    while i < COUNT {
        if FIELDS[i].ctx as u8 == ctx as u8 && eq(FIELDS[i].key.as_bytes(), key.as_bytes()) {
            return i as u8;
        }
        i += 1;
    }
    panic!("no such field in the list")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Where each field's value lives in a [`Run`](super::Run): a text field's offset in the
/// arena, a number's slot, a timestamp's slot. The error document's texts share the arena
/// with the run's (a body is one or the other), from offset 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    /// Offset in the text arena (text fields), or slot (numbers, timestamps, text lengths).
    pub(crate) at: u16,
    /// For text fields: the index of its length byte.
    pub(crate) slot: u8,
}

/// Sizes of the storage the list needs.
pub(crate) struct Sizes {
    pub(crate) text_bytes: usize,
    pub(crate) texts: usize,
    pub(crate) numbers: usize,
    pub(crate) times: usize,
}

const fn sizes() -> Sizes {
    let mut s = Sizes { text_bytes: 0, texts: 0, numbers: 0, times: 0 };
    let (mut run_bytes, mut error_bytes) = (0, 0);
    let mut i = 0;
    while i < COUNT {
        match FIELDS[i].kind {
            Kind::Text { cap } => {
                if FIELDS[i].ctx as u8 == Ctx::Error as u8 {
                    error_bytes += cap as usize;
                } else {
                    run_bytes += cap as usize;
                }
                s.texts += 1;
            }
            Kind::Timestamp => s.times += 1,
            k if k.is_number() => s.numbers += 1,
            _ => {}
        }
        i += 1;
    }
    s.text_bytes = if run_bytes > error_bytes { run_bytes } else { error_bytes };
    s
}

pub(crate) const SIZES: Sizes = sizes();

const fn layout() -> [Layout; COUNT] {
    let mut out = [Layout { at: 0, slot: 0 }; COUNT];
    let (mut text_at, mut error_at, mut texts, mut numbers, mut times) = (0u16, 0u16, 0u8, 0u16, 0u16);
    let mut i = 0;
    while i < COUNT {
        match FIELDS[i].kind {
            Kind::Text { cap } if FIELDS[i].ctx as u8 == Ctx::Error as u8 => {
                out[i] = Layout { at: error_at, slot: texts };
                error_at += cap;
                texts += 1;
            }
            Kind::Text { cap } => {
                out[i] = Layout { at: text_at, slot: texts };
                text_at += cap;
                texts += 1;
            }
            Kind::Timestamp => {
                out[i].at = times;
                times += 1;
            }
            k if k.is_number() => {
                out[i].at = numbers;
                numbers += 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The storage place of every field, by index.
pub(crate) const LAYOUT: [Layout; COUNT] = layout();

/// A set of fields, one bit each.
pub(crate) const WORDS: usize = COUNT.div_ceil(32);

/// The fields of `ctx`, as a mask.
pub(crate) const fn mask_of(ctx: Ctx) -> [u32; WORDS] {
    let mut mask = [0; WORDS];
    let mut i = 0;
    while i < COUNT {
        if FIELDS[i].ctx as u8 == ctx as u8 {
            mask[i / 32] |= 1 << (i % 32);
        }
        i += 1;
    }
    mask
}

// The key index: for each object, a perfect hash of its keys into a table of at least four
// slots per key, so a lookup hashes the key once and compares one key. The hash reads the
// key's length and two of its bytes, one counted from the start and one from the end, at
// the places (found at compile time, per object) that tell its keys apart: `netRxBytes` and
// `netTxBytes` at the fourth byte, `…_INTERNAL_GBYTES` and `…_EXTERNAL_GBYTES` at the
// fifteenth. The build fails if a key added later shares its length and both bytes with
// another key of the same object.

const KEYS: usize = COUNT + ALIASES.len();

/// All the key names the decoder knows: the fields', then the aliases' (with the field each
/// names).
const KEY_LIST: [(Ctx, &str, u8); KEYS] = {
    let mut list = [(Ctx::Root, "", 0u8); KEYS];
    let mut i = 0;
    while i < KEYS {
        list[i] = if i < COUNT {
            (FIELDS[i].ctx, FIELDS[i].key, i as u8)
        } else {
            let (ctx, key, target) = ALIASES[i - COUNT];
            (ctx, key, index(ctx, target))
        };
        i += 1;
    }
    list
};

const fn key_at(i: usize) -> (Ctx, &'static str, u8) {
    KEY_LIST[i]
}

/// Each object's table: where its slots start in [`Index::slots`], its size (`2^bits`), the
/// two byte places the hash reads (from the start, from the end), and its seed.
#[derive(Debug, Clone, Copy)]
struct Table {
    start: u16,
    bits: u8,
    from_start: u8,
    from_end: u8,
    seed: u32,
}

/// What the hash reads of `key`: its length and the two bytes.
#[inline(always)]
const fn picks(key: &[u8], from_start: usize, from_end: usize) -> u32 {
    let n = key.len();
    if n == 0 {
        return 0;
    }
    let last = n - 1;
    let a = key[if from_start < last { from_start } else { last }];
    let b = key[last - if from_end < last { from_end } else { last }];
    (n as u32) << 16 | (a as u32) << 8 | b as u32
}

/// The slot of `key` in `table`.
#[inline(always)]
const fn slot(table: &Table, key: &[u8]) -> usize {
    let picked = picks(key, table.from_start as usize, table.from_end as usize);
    let h = (picked ^ table.seed).wrapping_mul(0x9e37_79b1);
    (h >> (32 - table.bits as u32)) as usize
}

/// Slots in all the tables together (computed with the tables).
const SLOTS: usize = index_slots();

/// The key index of every object.
pub(crate) struct Index {
    tables: [Table; CONTEXTS],
    /// Index in the key list plus one, 0 for an empty slot.
    slots: [u8; SLOTS],
}

/// Whether key `i` belongs to `ctx` and is one a document can contain (the document's own
/// entry and array elements have no key).
const fn in_ctx(i: usize, ctx: Ctx) -> bool {
    !key_at(i).1.is_empty() && key_at(i).0 as u8 == ctx as u8
}

const fn keys_in(ctx: Ctx) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < KEYS {
        if in_ctx(i, ctx) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn bits_for(keys: usize) -> u8 {
    let mut bits = 1;
    while (1usize << bits) < keys * 4 {
        bits += 1;
    }
    bits
}

const fn index_slots() -> usize {
    let mut total = 0;
    let mut c = 0;
    while c < CONTEXTS {
        let keys = keys_in(ctx_of(c));
        if keys > 0 {
            total += 1 << bits_for(keys);
        }
        c += 1;
    }
    total
}

const fn ctx_of(c: usize) -> Ctx {
    const ALL: [Ctx; CONTEXTS] = [
        Ctx::Root,
        Ctx::Run,
        Ctx::Meta,
        Ctx::Stats,
        Ctx::Options,
        Ctx::Usage,
        Ctx::UsageUsd,
        Ctx::PricingInfo,
        Ctx::Metamorphs,
        Ctx::Metamorph,
        Ctx::Error,
    ];
    ALL[c]
}

/// Whether the two byte places tell every pair of `ctx`'s keys apart.
const fn distinct(ctx: Ctx, from_start: usize, from_end: usize) -> bool {
    let mut i = 0;
    while i < KEYS {
        if in_ctx(i, ctx) {
            let p = picks(key_at(i).1.as_bytes(), from_start, from_end);
            let mut j = i + 1;
            while j < KEYS {
                if in_ctx(j, ctx) && picks(key_at(j).1.as_bytes(), from_start, from_end) == p {
                    return false;
                }
                j += 1;
            }
        }
        i += 1;
    }
    true
}

/// Fills `ctx`'s table at `table.start`; false on a collision.
const fn fill(slots: &mut [u8; SLOTS], ctx: Ctx, table: &Table) -> bool {
    let start = table.start as usize;
    let mut s = 0;
    while s < 1usize << table.bits {
        slots[start + s] = 0;
        s += 1;
    }
    let mut i = 0;
    while i < KEYS {
        if in_ctx(i, ctx) {
            let at = start + slot(table, key_at(i).1.as_bytes());
            if slots[at] != 0 {
                return false;
            }
            slots[at] = i as u8 + 1;
        }
        i += 1;
    }
    true
}

const fn build_index() -> Index {
    let empty = Table { start: 0, bits: 0, from_start: 0, from_end: 0, seed: 0 };
    let mut index = Index { tables: [empty; CONTEXTS], slots: [0; SLOTS] };
    let mut start = 0;
    let mut c = 0;
    while c < CONTEXTS {
        let ctx = ctx_of(c);
        let keys = keys_in(ctx);
        if keys > 0 {
            // The byte places: the first pair, nearest the ends, that tells the keys apart.
            let (mut from_start, mut from_end) = (0, 0);
            while !distinct(ctx, from_start, from_end) {
                from_end += 1;
                if from_end == 24 {
                    from_end = 0;
                    from_start += 1;
                    assert!(from_start < 24, "two keys of an object share their length and bytes");
                }
            }
            let mut table = Table {
                start: start as u16,
                bits: bits_for(keys),
                from_start: from_start as u8,
                from_end: from_end as u8,
                seed: 1,
            };
            while !fill(&mut index.slots, ctx, &table) {
                table.seed += 1;
                assert!(table.seed < 100_000, "no perfect hash for an object's keys");
            }
            index.tables[c] = table;
            start += 1 << table.bits;
        }
        c += 1;
    }
    index
}

/// The key index, built at compile time.
pub(crate) const INDEX: Index = build_index();

/// The field `key` names in `ctx`, or [`Marker::SKIP`].
#[inline]
pub(crate) fn lookup(ctx: Ctx, key: &str) -> u8 {
    let table = &INDEX.tables[ctx as usize];
    if table.bits == 0 {
        return Marker::SKIP;
    }
    let at = table.start as usize + slot(table, key.as_bytes());
    match INDEX.slots.get(at).and_then(|s| KEY_LIST.get(s.wrapping_sub(1) as usize)) {
        // The slot is this object's, so only the key needs comparing.
        Some(&(_, known, field)) if known == key => field,
        _ => Marker::SKIP,
    }
}

/// Where a field sits in the document, such as `data.stats.memAvgBytes`: what decode errors
/// and the list of unfit values name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FieldPath(pub(crate) u8);

impl FieldPath {
    /// The field's JSON key (`memAvgBytes`; `[]` for an array's element, `(document)` for
    /// the document itself).
    pub fn key(&self) -> &'static str {
        match FIELDS.get(self.0 as usize) {
            Some(f) if !f.key.is_empty() => f.key,
            Some(f) if f.ctx as u8 != Ctx::Root as u8 => "[]",
            _ => "(document)",
        }
    }

    /// The object it is in (`data.stats`; empty for the document itself).
    pub fn parent(&self) -> &'static str {
        FIELDS.get(self.0 as usize).map_or("", |f| f.ctx.path())
    }
}

impl FieldPath {
    /// Every field that holds a value (not an object or array), in the list's order: what a
    /// binding offers to read one by one with [`Run::get`](super::Run::get): the error
    /// document's (`error.type`, `error.message`), then the run's.
    ///
    /// ```
    /// use apify_core::model::FieldPath;
    ///
    /// let paths: Vec<String> = FieldPath::all().map(|f| f.to_string()).collect();
    /// assert_eq!(paths[..3], ["error.type", "error.message", "data.id"]);
    /// assert!(paths.iter().any(|p| p == "data.stats.durationMillis"));
    /// ```
    pub fn all() -> impl Iterator<Item = FieldPath> {
        (0..COUNT as u8).filter(|&i| FIELDS[i as usize].kind.is_value()).map(FieldPath)
    }

    /// The value field at `path`, as [`Display`](fmt::Display) writes it
    /// (`data.stats.durationMillis`, `data.metamorphs[].actorId`, `error.message`); `None` for
    /// a path that is not one, or whose field this build leaves out (see the crate's features).
    ///
    /// ```
    /// use apify_core::model::FieldPath;
    ///
    /// let status = FieldPath::find("data.status").unwrap();
    /// assert_eq!(status.to_string(), "data.status");
    /// assert!(FieldPath::find("data.meta").is_none()); // an object, not a value
    /// ```
    pub fn find(path: &str) -> Option<FieldPath> {
        let (parent, key) = path.rsplit_once('.')?;
        Self::all().find(|f| f.key() == key && f.parent() == parent)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parent = self.parent();
        if !parent.is_empty() {
            f.write_str(parent)?;
            f.write_str(".")?;
        }
        f.write_str(self.key())
    }
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Decoded, ResponseDecoder};
    use std::format;
    use std::string::String;

    /// The key of the run's member that holds `ctx`, and whether it is an array.
    fn container(ctx: Ctx) -> (&'static str, bool) {
        FIELDS
            .iter()
            .find_map(|f| match f.kind {
                Kind::Object(c) if c == ctx => Some((f.key, false)),
                Kind::Array(Ctx::Metamorphs) if ctx == Ctx::Metamorph => Some((f.key, true)),
                _ => None,
            })
            .unwrap()
    }

    /// A body that sets only field `i`, to a value of its kind.
    fn body_with(i: usize) -> Option<String> {
        let field = FIELDS[i];
        let value = match field.kind {
            Kind::Text { .. } => "\"v\"",
            Kind::Timestamp => "\"2026-01-02T03:04:05.678Z\"",
            Kind::U32 | Kind::U64 => "7",
            Kind::I32 => "-7",
            Kind::Decimal => "1.25",
            Kind::Bool => "true",
            _ => return None,
        };
        let member = format!("{:?}:{value}", field.key);
        Some(match field.ctx {
            Ctx::Run => format!(r#"{{"data":{{{member}}}}}"#),
            Ctx::Error => format!(r#"{{"error":{{{member}}}}}"#),
            Ctx::Metamorph => format!(r#"{{"data":{{"{}":[{{{member}}}]}}}}"#, container(Ctx::Metamorph).0),
            ctx => format!(r#"{{"data":{{"{}":{{{member}}}}}}}"#, container(ctx).0),
        })
    }

    fn decode(body: &str) -> crate::model::Run {
        let mut decoder = ResponseDecoder::<16>::new();
        decoder.feed(body.as_bytes()).unwrap();
        match decoder.finish().unwrap() {
            Decoded::Run(run) => run.clone(),
            Decoded::Error(error) => error.run().clone(),
        }
    }

    #[test]
    fn the_list_the_lookup_and_the_writer_agree() {
        let mut values = 0;
        for (i, &field) in FIELDS.iter().enumerate() {
            // Every key finds its own field.
            if !field.key.is_empty() {
                assert_eq!(lookup(field.ctx, field.key), i as u8, "{field:?}");
            }
            let Some(body) = body_with(i) else { continue };
            values += 1;
            // Decoded, the field is set and nothing else is.
            let run = decode(&body);
            assert!(run.is_present(i as u8), "{body}");
            let values_set = (0..COUNT as u8)
                .filter(|&j| {
                    run.is_present(j) && !matches!(FIELDS[j as usize].kind, Kind::Object(_) | Kind::Array(_))
                })
                .count();
            assert_eq!(values_set, 1, "{body}");
            // Read by its path, it is there and nothing else is.
            let path = FieldPath::find(&format!("{}", FieldPath(i as u8))).unwrap();
            assert_eq!(path.0, i as u8);
            let got: std::vec::Vec<_> = FieldPath::all().filter_map(|f| run.get(f)).collect();
            assert_eq!(got.len(), 1, "{body}");
            assert_eq!(Some(got[0]), run.get(path));
            // Written and decoded again, it is the same run (or error).
            let mut written = String::new();
            if field.ctx == Ctx::Error {
                crate::model::ApiError(&run).write_json(&mut written).unwrap();
            } else {
                run.write_json(&mut written).unwrap();
            }
            assert_eq!(decode(&written), run, "{body} -> {written}");
            assert!(written.contains(&format!("{:?}:", field.key)), "{written}");
        }
        assert!(values > 5);
        // Aliases find their field; unknown keys and keys of other objects find nothing.
        for (ctx, alias, target) in ALIASES {
            assert_eq!(lookup(*ctx, alias), index(*ctx, target));
        }
        assert_eq!(lookup(Ctx::Run, "noSuchKey"), Marker::SKIP);
        assert_eq!(lookup(Ctx::Run, ""), Marker::SKIP);
        assert_eq!(lookup(Ctx::Error, "id"), Marker::SKIP);
    }
}
