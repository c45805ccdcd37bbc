//! The Plupper chat message and everything that can be said about it without I/O.
//!
//! This crate owns the *meaning* of the data; the other crates move it around:
//!
//! - [`Message`]: the six fields of the API's message, and its [`Fingerprint`]
//!   (the contract's §1b identity: the six fields, not the raw text's spacing or key order);
//! - [`element`]: one element of an API list response or one NDJSON line, parsed
//!   while its [`Original`] text is kept verbatim, with the contract's §5 rules for
//!   missing and ill-typed fields;
//! - [`date`]: Java `Date.toString()` timestamps (`Wed Apr 29 17:16:13 CEST 2009`), the
//!   zone table, and the calendar date, wall clock and instant read from them;
//! - [`param`]: the API's query parameter values (`MM/DD/YY` dates with Java's two-digit
//!   year window, `Long.parseLong` integers) and the command line's dates (also ISO
//!   `YYYY-MM-DD`);
//! - [`fold`]: Unicode simple case folding and the `contains` matcher built on it;
//! - [`wire`]: turning archived messages back into the API's wire format;
//! - [`plural`]: counts in sentences (`1 message`, `2 messages`);
//! - [`printable`]: archived text made safe to print for a person (control characters
//!   and bidi overrides shown as visible escapes).
//!
//! Nothing here reads files, the network, the environment or the clock: "today" is
//! always an argument.
//!
//! # Example
//!
//! ```
//! use plupper_model::element::parse_element;
//!
//! let raw = br#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;
//! let element = parse_element(raw).expect("a valid element");
//! assert_eq!(element.message.content, "Hi");
//! assert_eq!(element.message.visitor_id, Some(32751));
//! assert_eq!(element.date.instant().map(|t| t.to_rfc3339()).as_deref(), Some("2009-04-29T17:16:13+02:00"));
//! // The original text is kept byte for byte.
//! assert_eq!(element.original.text.as_bytes(), raw);
//! ```

#![warn(unreachable_pub)]

pub mod date;
pub mod element;
pub mod fold;
mod message;
pub mod param;
pub mod plural;
pub mod printable;
pub mod wire;

pub use date::{DateError, JavaDate, Zone};
pub use element::{Element, ElementError, Original, OriginalKind};
pub use fold::{Contains, ContainsCount, ContainsMatches, fold_char};
pub use message::{Fingerprint, Message};
