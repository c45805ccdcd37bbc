//! Counts in sentences: `1 message`, `2 messages`, `0 messages`. The one plural rule of
//! the project's messages, so that every command and error says counts alike.

/// `count` and `noun`, which is in the singular and takes an `s` in the plural (every noun
/// the project counts does).
///
/// ```
/// use plupper_model::plural::counted;
///
/// assert_eq!(counted(1u64, "attempt"), "1 attempt");
/// assert_eq!(counted(3u32, "attempt"), "3 attempts");
/// ```
pub fn counted(count: impl Into<u64>, noun: &str) -> String {
    let count = count.into();
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(0u64, "message"), "0 messages");
        assert_eq!(counted(1u64, "message"), "1 message");
        assert_eq!(counted(2u64, "chain link"), "2 chain links");
    }
}
