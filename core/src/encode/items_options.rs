//! The parameters of "Get dataset items": which items, which of their fields, in what order.

use super::EncodeError;

/// Longest comma list or view name accepted (bytes).
pub const MAX_ITEMS_LIST_LEN: usize = 1024;

/// Options of a dataset items request (`GET /v2/datasets/{id}/items`, a run's dataset, and
/// `run-sync-get-dataset-items`). Unset options are not sent, so the API's defaults apply
/// (all items, every field, oldest first). The format is always JSON (`format=json`): the
/// items reader reads a JSON array, and the other formats (CSV, XML, …) are not offered.
///
/// Setters do not fail; [`validate`](Self::validate) (called by the request encoder) reports
/// the first option that breaks a rule, naming the query parameter and the rule.
///
/// ```
/// use apify_core::encode::{EncodeError, ItemsOptions};
///
/// let options = ItemsOptions::new().offset(100).limit(50).fields("url,title").clean(true);
/// assert!(options.validate().is_ok());
///
/// let err = ItemsOptions::new().fields("url,,title").validate().unwrap_err();
/// assert_eq!(err, EncodeError::InvalidParameter { name: "fields", rule: "must be field names separated by commas, none empty" });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemsOptions<'a> {
    pub(crate) offset: Option<u64>,
    pub(crate) limit: Option<u64>,
    pub(crate) fields: Option<&'a str>,
    pub(crate) omit: Option<&'a str>,
    pub(crate) unwind: Option<&'a str>,
    pub(crate) flatten: Option<&'a str>,
    pub(crate) desc: Option<bool>,
    pub(crate) clean: Option<bool>,
    pub(crate) skip_empty: Option<bool>,
    pub(crate) skip_hidden: Option<bool>,
    pub(crate) view: Option<&'a str>,
}

impl ItemsOptions<'static> {
    /// No options, as a constant (so `&ItemsOptions::NONE` lives as long as needed).
    pub const NONE: ItemsOptions<'static> = ItemsOptions::new();
}

impl<'a> ItemsOptions<'a> {
    /// No options: every item, every field.
    pub const fn new() -> Self {
        Self {
            offset: None,
            limit: None,
            fields: None,
            omit: None,
            unwind: None,
            flatten: None,
            desc: None,
            clean: None,
            skip_empty: None,
            skip_hidden: None,
            view: None,
        }
    }

    /// `offset`: items to skip from the start (or from the end with `desc`).
    pub const fn offset(mut self, items: u64) -> Self {
        self.offset = Some(items);
        self
    }

    /// `limit`: the most items to return (above zero; unset, the API returns them all).
    pub const fn limit(mut self, items: u64) -> Self {
        self.limit = Some(items);
        self
    }

    /// `fields`: only these fields, in this order (comma-separated names).
    pub const fn fields(mut self, names: &'a str) -> Self {
        self.fields = Some(names);
        self
    }

    /// `omit`: leave these fields out (comma-separated names).
    pub const fn omit(mut self, names: &'a str) -> Self {
        self.omit = Some(names);
        self
    }

    /// `unwind`: expand these array or object fields into items of their own.
    pub const fn unwind(mut self, names: &'a str) -> Self {
        self.unwind = Some(names);
        self
    }

    /// `flatten`: turn these nested objects into `parent.child` fields.
    pub const fn flatten(mut self, names: &'a str) -> Self {
        self.flatten = Some(names);
        self
    }

    /// `desc`: newest items first.
    pub const fn desc(mut self, yes: bool) -> Self {
        self.desc = Some(yes);
        self
    }

    /// `clean`: leave out empty items and hidden fields (names starting with `#`).
    pub const fn clean(mut self, yes: bool) -> Self {
        self.clean = Some(yes);
        self
    }

    /// `skipEmpty`: leave out empty items.
    pub const fn skip_empty(mut self, yes: bool) -> Self {
        self.skip_empty = Some(yes);
        self
    }

    /// `skipHidden`: leave out hidden fields (names starting with `#`).
    pub const fn skip_hidden(mut self, yes: bool) -> Self {
        self.skip_hidden = Some(yes);
        self
    }

    /// `view`: a view the dataset's schema defines.
    pub const fn view(mut self, name: &'a str) -> Self {
        self.view = Some(name);
        self
    }

    /// The `offset` and `limit` set, if any: what a client needs to ask again for the rest
    /// of a stream that was cut.
    pub const fn window(&self) -> (Option<u64>, Option<u64>) {
        (self.offset, self.limit)
    }

    /// Checks every option against the API's rules.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let bad = |name, rule| Err(EncodeError::InvalidParameter { name, rule });
        if self.limit == Some(0) {
            return bad("limit", "must be greater than zero");
        }
        let printable = |s: &str| !s.chars().any(char::is_control);
        for (name, list) in
            [("fields", self.fields), ("omit", self.omit), ("unwind", self.unwind), ("flatten", self.flatten)]
        {
            let Some(list) = list else { continue };
            if list.len() > MAX_ITEMS_LIST_LEN || !printable(list) {
                return bad(name, "must be at most 1024 bytes with no control characters");
            }
            if list.split(',').any(|field| field.trim().is_empty()) {
                return bad(name, "must be field names separated by commas, none empty");
            }
        }
        if let Some(view) = self.view {
            if view.trim().is_empty() || view.len() > MAX_ITEMS_LIST_LEN || !printable(view) {
                return bad("view", "must be a view's name: 1 to 1024 bytes, no control characters");
            }
        }
        Ok(())
    }
}
