//! Pages through a dataset: which items to ask for next, and when there are no more.

use crate::encode::ItemsOptions;

/// The requests that read a dataset page by page (sans-IO: the caller sends each page's
/// request and reports how many items it read). A page that comes back shorter than asked is
/// the last; a page cut by a failure is asked again from its first missing item, so no item
/// is read twice and none is skipped. Send each page with the retry policy of any `GET`.
///
/// ```
/// use apify_core::encode::ItemsOptions;
/// use apify_core::items::Pager;
///
/// let mut pager = Pager::new(1000).at_most(2500);
/// let base = ItemsOptions::new().clean(true);
/// let page = pager.next_page(base).unwrap();
/// assert_eq!(page, base.offset(0).limit(1000));
/// pager.on_page(1000);
/// assert_eq!(pager.next_page(base), Some(base.offset(1000).limit(1000)));
/// pager.on_partial(400); // the connection dropped after 400 items
/// assert_eq!(pager.next_page(base), Some(base.offset(1400).limit(600)));
/// pager.on_page(600);
/// assert_eq!(pager.next_page(base), Some(base.offset(2000).limit(500)));
/// pager.on_page(480); // a short page: the dataset has no more
/// assert_eq!(pager.next_page(base), None);
/// assert_eq!(pager.items_read(), 2480);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    page_size: u64,
    /// The offset of the next item to ask for.
    offset: u64,
    /// Items read so far.
    read: u64,
    /// The most items wanted in all, if capped.
    most: Option<u64>,
    /// The size of the page being read (after a partial page, what is left of it).
    asked: u64,
    done: bool,
}

impl Pager {
    /// Pages of `page_size` items (at least 1), from the dataset's start.
    pub const fn new(page_size: u64) -> Self {
        let page_size = if page_size == 0 { 1 } else { page_size };
        Self { page_size, offset: 0, read: 0, most: None, asked: 0, done: false }
    }

    /// Starts at item `offset`.
    pub const fn starting_at(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Reads at most `items` in all.
    pub const fn at_most(mut self, items: u64) -> Self {
        self.most = Some(items);
        self
    }

    /// Items read so far.
    pub const fn items_read(&self) -> u64 {
        self.read
    }

    /// The options of the next page's request (`base` with `offset` and `limit` set), or
    /// `None` when the dataset, or the items wanted, are exhausted.
    pub fn next_page<'a>(&mut self, base: ItemsOptions<'a>) -> Option<ItemsOptions<'a>> {
        let left = self.most.map_or(u64::MAX, |most| most.saturating_sub(self.read));
        if self.done || left == 0 {
            return None;
        }
        let size = if self.asked > 0 { self.asked } else { self.page_size };
        self.asked = size.min(left);
        Some(base.offset(self.offset).limit(self.asked))
    }

    /// The page asked for was read to its end with `items` items: a short page is the last.
    pub fn on_page(&mut self, items: u64) {
        self.advance(items);
        self.done |= items < self.asked;
        self.asked = 0;
    }

    /// The page asked for was cut after `items` items (a failure mid-body): the next request
    /// asks for the rest of it.
    pub fn on_partial(&mut self, items: u64) {
        self.advance(items);
        self.asked = self.asked.saturating_sub(items);
        if self.asked == 0 {
            self.asked = self.page_size;
        }
    }

    fn advance(&mut self, items: u64) {
        self.offset = self.offset.saturating_add(items);
        self.read = self.read.saturating_add(items);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a dataset of `total` items through the pager, cutting each `cut_every`th page
    /// after `cut_after` items: every item exactly once, in order.
    fn read_all(total: u64, page: u64, most: Option<u64>, cut: Option<(usize, u64)>) -> std::vec::Vec<u64> {
        let mut pager = Pager::new(page);
        if let Some(most) = most {
            pager = pager.at_most(most);
        }
        let mut seen = std::vec::Vec::new();
        let mut requests = 0;
        while let Some(options) = pager.next_page(ItemsOptions::NONE) {
            requests += 1;
            assert!(requests < 100_000, "the pager never ends");
            let (offset, limit) = (options.offset.unwrap(), options.limit.unwrap());
            let served: std::vec::Vec<u64> = (offset..total).take(limit as usize).collect();
            match cut {
                Some((every, after)) if requests % every == 0 && (served.len() as u64) > after => {
                    seen.extend(&served[..after as usize]);
                    pager.on_partial(after);
                }
                _ => {
                    seen.extend(&served);
                    pager.on_page(served.len() as u64);
                }
            }
        }
        assert_eq!(pager.items_read(), seen.len() as u64);
        seen
    }

    #[test]
    fn every_item_once_in_order_whatever_the_pages_and_the_cuts() {
        for total in [0, 1, 999, 1000, 1001, 5432] {
            for page in [1, 7, 1000] {
                for cut in [None, Some((2, 0)), Some((3, 5))] {
                    let want: std::vec::Vec<u64> = (0..total).collect();
                    assert_eq!(read_all(total, page, None, cut), want, "{total} {page} {cut:?}");
                    let most = total / 2;
                    assert_eq!(
                        read_all(total, page, Some(most), cut),
                        want[..most as usize],
                        "{total} {page} {cut:?}"
                    );
                }
            }
        }
    }
}
