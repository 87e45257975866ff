//! The run object and the API error, typed, in fixed memory.
//!
//! Field names follow the API in snake case. Every field the API may leave out or set to
//! `null` is an `Option` (or an accessor returning one); a missing field is never an error.
//! Text fields have a fixed capacity, documented on each, and flag truncation (see [`Text`]);
//! numbers are exact ([`Decimal`](crate::Decimal) for fractions, integers for counts).

/// Defines a protocol enum over strings: known names get variants, anything else is kept in
/// `Other` (as much of it as fits), so decoding never fails on a value added later.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident (other: $cap:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this crate does not know, as sent (up to its capacity, see
            /// [`Text`](crate::model::Text)).
            Other($crate::model::Text<$cap>),
        }

        impl $name {
            /// The API's spelling.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )*
                    Self::Other(text) => text.as_str(),
                }
            }

            /// The variant for a name; unknown names become `Other`.
            pub fn from_name(name: &str) -> Self {
                Self::from_name_cut(name, false)
            }

            /// [`from_name`](Self::from_name) for a name that was already cut (`cut`): an
            /// `Other` then says it is truncated, as it would for the whole name.
            pub(crate) fn from_name_cut(name: &str, cut: bool) -> Self {
                match name {
                    $( $text if !cut => Self::$variant, )*
                    other => {
                        let mut text = $crate::model::Text::from_str_truncating(other);
                        if cut {
                            text.mark_truncated();
                        }
                        Self::Other(text)
                    }
                }
            }
        }

        /// The API's spelling; an unknown value that was cut ends in `…`, as a cut
        /// [`Text`](crate::model::Text) does.
        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    Self::Other(text) => core::fmt::Display::fmt(text, f),
                    known => f.write_str(known.as_str()),
                }
            }
        }
    };
}

mod api_error;
pub(crate) mod fields;
mod json_out;
mod kinds;
mod run;
pub(crate) mod table;
mod text;
mod timestamp;

pub use api_error::{ApiError, ErrorType};
pub use kinds::{GeneralAccess, Origin, PricingModel, RunStatus, UsageBillingModel};
#[cfg(feature = "details")]
pub use run::Metamorph;
#[cfg(feature = "options")]
pub use run::RunConfig;
#[cfg(feature = "meta")]
pub use run::RunMeta;
#[cfg(feature = "stats")]
pub use run::RunStats;
pub use run::{FieldValue, ID_CAPACITY, Id, Run, TextRef, Usage, UsageItem};
pub use table::FieldPath;
pub use text::{Printable, Text};
pub use timestamp::Timestamp;
