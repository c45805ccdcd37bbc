//! The message and its identity.

use sha2::{Digest, Sha256};

/// One chat message: the six fields of the API's wire format, as archived.
///
/// `created` is kept as the text the API wrote; its parsed form is a
/// [`JavaDate`](crate::JavaDate).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    /// The message text; any Unicode, may be empty.
    pub content: String,
    /// The customer the visitor belongs to; shared by many visitors. A JSON number is kept as its text.
    pub customer_id: Option<String>,
    /// Java `Date.toString()` text, exactly as written by the API.
    pub created: String,
    /// The visitor's id.
    pub visitor_id: Option<i64>,
    /// `VO` (visitor side), `VT` (operator side) or any other value, kept as it is.
    pub message_type: String,
    /// The operator's user name (case-sensitive).
    pub operator: Option<String>,
}

/// A message's identity (contract §1b): a hash of its six fields.
///
/// Two elements are "the same message" exactly when their six fields are equal, whatever
/// the spacing, key order or escapes of their original text. The hash is the first 128
/// bits of SHA-256 over an unambiguous encoding of the fields (each field tagged as null,
/// text or integer; texts length-prefixed), so accidental collisions are out of reach.
/// The encoding is part of the archive format: it must never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(pub [u8; 16]);

impl Message {
    /// The message's identity.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut hasher = Sha256::new();
        hash_text(&mut hasher, Some(&self.content));
        hash_text(&mut hasher, self.customer_id.as_deref());
        hash_text(&mut hasher, Some(&self.created));
        match self.visitor_id {
            None => hasher.update([0u8]),
            Some(id) => {
                hasher.update([2u8]);
                hasher.update(id.to_le_bytes());
            }
        }
        hash_text(&mut hasher, Some(&self.message_type));
        hash_text(&mut hasher, self.operator.as_deref());
        let digest = hasher.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        Fingerprint(bytes)
    }
}

fn hash_text(hasher: &mut Sha256, text: Option<&str>) {
    match text {
        None => hasher.update([0u8]),
        Some(text) => {
            hasher.update([1u8]);
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            content: "Hi".into(),
            customer_id: None,
            created: "Wed Apr 29 17:16:13 CEST 2009".into(),
            visitor_id: Some(32751),
            message_type: "VO".into(),
            operator: Some("john".into()),
        }
    }

    #[test]
    fn every_field_is_part_of_the_identity() {
        let base = message().fingerprint();
        let variants = [
            Message {
                content: "hi".into(),
                ..message()
            },
            Message {
                customer_id: Some(String::new()),
                ..message()
            },
            Message {
                created: "Wed Apr 29 17:16:14 CEST 2009".into(),
                ..message()
            },
            Message {
                visitor_id: None,
                ..message()
            },
            Message {
                visitor_id: Some(32752),
                ..message()
            },
            Message {
                message_type: "VT".into(),
                ..message()
            },
            Message {
                operator: None,
                ..message()
            },
            Message {
                operator: Some("John".into()),
                ..message()
            },
        ];
        for variant in variants {
            assert_ne!(variant.fingerprint(), base, "{variant:?}");
        }
        assert_eq!(message().fingerprint(), base);
    }

    #[test]
    fn null_and_empty_text_differ_and_fields_do_not_run_together() {
        let a = Message {
            customer_id: Some("ab".into()),
            operator: Some("c".into()),
            ..message()
        };
        let b = Message {
            customer_id: Some("a".into()),
            operator: Some("bc".into()),
            ..message()
        };
        assert_ne!(a.fingerprint(), b.fingerprint());
        let null = Message {
            operator: None,
            ..message()
        };
        let empty = Message {
            operator: Some(String::new()),
            ..message()
        };
        assert_ne!(null.fingerprint(), empty.fingerprint());
    }
}
