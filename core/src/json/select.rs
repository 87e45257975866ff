//! Picking one value out of a streaming document by its path, without storing keys.

use super::{Event, Fragment, Visitor};

/// Forwards to `inner` only the events of the value at `path` (a list of member names from
/// the root), while the document streams. Keys are compared fragment by fragment, so no key
/// is stored and the path can be as long as the caller likes; the state is a few words.
///
/// Every occurrence is forwarded (a duplicated member is seen twice). A path through an array
/// never matches. An object or array at the path is forwarded whole, start to end. Paths
/// count from the root, so give a `Select` the document's events from its first; from the
/// middle of a document it can miss the value, and never panics.
///
/// ```
/// use apify_core::json::{Event, Parser, Select, SyntaxError, Visitor};
///
/// #[derive(Default)]
/// struct Starts(Option<u64>);
/// impl Visitor for Starts {
///     type Error = SyntaxError;
///     fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
///         if let Event::Number(n) = event {
///             self.0 = n.to_u64();
///         }
///         Ok(())
///     }
/// }
///
/// let body = br#"{"data":{"id":"x","chargedEventCounts":{"actor-start":3,"page":12}}}"#;
/// let mut select = Select::new(&["data", "chargedEventCounts", "actor-start"], Starts::default());
/// let mut parser = Parser::<8>::new();
/// for chunk in body.chunks(5) {
///     parser.feed(chunk, &mut select)?;
/// }
/// parser.finish(&mut select)?;
/// assert_eq!(select.into_inner().0, Some(3));
/// # Ok::<(), SyntaxError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Select<'p, V> {
    path: &'p [&'p str],
    inner: V,
    /// Open containers.
    depth: usize,
    /// Path segments matched by the chain of open containers; keys at depth `matched + 1`
    /// are compared with `path[matched]`.
    matched: usize,
    /// Bytes of the current key compared so far, and whether they all agreed.
    key_pos: usize,
    key_ok: bool,
    /// The last key named the next path segment: the value that follows is on the path.
    hit: bool,
    /// Forwarding a selected value that is a container: it ends when `depth` returns here.
    forwarding: Option<usize>,
    /// Forwarding a selected string value until its last fragment.
    in_string: bool,
}

impl<'p, V: Visitor> Select<'p, V> {
    /// Selects the value at `path` (member names from the root; empty selects the document).
    pub fn new(path: &'p [&'p str], inner: V) -> Self {
        Self {
            path,
            inner,
            depth: 0,
            matched: 0,
            key_pos: 0,
            key_ok: false,
            hit: path.is_empty(),
            forwarding: None,
            in_string: false,
        }
    }

    /// The visitor that received the selected events.
    pub fn inner(&self) -> &V {
        &self.inner
    }

    /// The visitor that received the selected events.
    pub fn inner_mut(&mut self) -> &mut V {
        &mut self.inner
    }

    /// Gives back the visitor.
    pub fn into_inner(self) -> V {
        self.inner
    }

    fn key(&mut self, f: Fragment<'_>) {
        if self.depth != self.matched + 1 || self.matched >= self.path.len() {
            return;
        }
        let segment = self.path[self.matched].as_bytes();
        if f.first {
            self.key_pos = 0;
            self.key_ok = true;
        }
        let text = f.text.as_bytes();
        self.key_ok &= segment.get(self.key_pos..self.key_pos + text.len()) == Some(text);
        self.key_pos += text.len();
        if f.last {
            self.hit = self.key_ok && self.key_pos == segment.len();
        }
    }
}

impl<V: Visitor> Visitor for Select<'_, V> {
    type Error = V::Error;

    fn event(&mut self, event: Event<'_>) -> Result<(), V::Error> {
        if let Some(base) = self.forwarding {
            match event {
                Event::ObjectStart | Event::ArrayStart => self.depth += 1,
                Event::ObjectEnd | Event::ArrayEnd => {
                    self.depth -= 1;
                    if self.depth == base {
                        self.forwarding = None;
                    }
                }
                _ => {}
            }
            return self.inner.event(event);
        }
        if self.in_string {
            if let Event::Str(f) = event {
                self.in_string = !f.last;
            }
            return self.inner.event(event);
        }
        if let Event::Key(f) = event {
            self.key(f);
            return Ok(());
        }
        let on_path = core::mem::take(&mut self.hit);
        // `hit` is only set for keys at depth `matched + 1`, so this is the last segment's value.
        let selected = on_path && self.matched + 1 >= self.path.len();
        match event {
            Event::ObjectStart | Event::ArrayStart => {
                if selected {
                    self.forwarding = Some(self.depth);
                    self.depth += 1;
                    return self.inner.event(event);
                }
                if on_path && event == Event::ObjectStart {
                    self.matched += 1;
                }
                self.depth += 1;
            }
            Event::ObjectEnd | Event::ArrayEnd => {
                // Saturating: a `Select` handed the events of a document already under way
                // can see more ends than starts.
                self.depth = self.depth.saturating_sub(1);
                if self.depth == self.matched && self.matched > 0 {
                    self.matched -= 1;
                }
            }
            Event::Str(f) if selected => {
                self.in_string = !f.last;
                return self.inner.event(event);
            }
            Event::Number(_) | Event::Bool(_) | Event::Null if selected => {
                return self.inner.event(event);
            }
            _ => {}
        }
        Ok(())
    }
}
