//! The chain checked against the messages ([`ChainCheck`]): pure, the store streams the
//! messages in.

use crate::chain::{ChainLink, GENESIS, LinkHasher};
use crate::verify::Problem;

/// Checks the chain against the messages, fed in archive id order. Pure: the store
/// streams the messages in; see the [module docs](crate::verify).
#[derive(Debug)]
pub struct ChainCheck<'l> {
    links: &'l [ChainLink],
    /// The next link that no message has reached yet.
    next: usize,
    /// The link the last message fell in, its hasher and the next id it expects.
    open: Option<(usize, LinkHasher, i64)>,
    /// The last message id seen.
    last_seen: i64,
    problems: Vec<Problem>,
}

impl<'l> ChainCheck<'l> {
    /// Starts with the links in the order written; checks how they follow each other.
    pub fn new(links: &'l [ChainLink]) -> ChainCheck<'l> {
        let mut problems = Vec::new();
        let mut previous: Option<&ChainLink> = None;
        for link in links {
            let expected = previous.map_or(GENESIS, |p| p.hash);
            if link.previous_hash != expected {
                problems.push(Problem::LinkBroken {
                    link: link.id,
                    previous: previous.map(|p| p.id),
                });
            }
            let (first, last) = (link.first_id.0, link.last_id.0);
            let after = previous.map_or(0, |p| p.last_id.0);
            // An export's link records the empty range right after the link before.
            let span = u64::try_from(last - first + 1).unwrap_or(u64::MAX);
            if first <= after || span != link.added {
                problems.push(Problem::LinkRange {
                    link: link.id,
                    first,
                    last,
                    added: link.added,
                });
            }
            previous = Some(link);
        }
        ChainCheck {
            links,
            next: 0,
            open: None,
            last_seen: 0,
            problems,
        }
    }

    /// The next message, in id order, with its original text (`None`: it cannot be read,
    /// which makes its link's hash fail).
    pub fn message(&mut self, id: i64, text: Option<&[u8]>) {
        self.last_seen = self.last_seen.max(id);
        if self
            .open
            .as_ref()
            .is_some_and(|(i, _, _)| self.links[*i].last_id.0 < id)
        {
            self.close();
        }
        if self.open.is_none() {
            // Links the messages skipped entirely are missing all their messages (an
            // export's link records none).
            while let Some(link) = self.links.get(self.next) {
                if link.last_id.0 >= id && link.added > 0 {
                    break;
                }
                self.next += 1;
                if link.added == 0 {
                    continue;
                }
                self.problems.push(Problem::Missing {
                    link: link.id,
                    first: link.first_id.0,
                    last: link.last_id.0,
                });
            }
            match self.links.get(self.next) {
                Some(link) if link.first_id.0 <= id => {
                    self.open = Some((
                        self.next,
                        LinkHasher::new(&link.previous_hash),
                        link.first_id.0,
                    ));
                    self.next += 1;
                }
                _ => {
                    self.problems.push(Problem::Unchained { id });
                    return;
                }
            }
        }
        if let Some((index, hasher, expected)) = &mut self.open {
            let link = &self.links[*index];
            if id > *expected {
                self.problems.push(Problem::Missing {
                    link: link.id,
                    first: *expected,
                    last: id - 1,
                });
            }
            hasher.add(id, text.unwrap_or(b"\xff(unreadable)"));
            *expected = id + 1;
        }
    }

    fn close(&mut self) {
        let Some((index, hasher, expected)) = self.open.take() else {
            return;
        };
        let link = &self.links[index];
        if expected <= link.last_id.0 {
            self.problems.push(Problem::Missing {
                link: link.id,
                first: expected,
                last: link.last_id.0,
            });
        }
        if hasher.finish() != link.hash {
            self.problems.push(Problem::LinkHash {
                link: link.id,
                first: link.first_id.0,
                last: link.last_id.0,
            });
        }
    }

    /// Ends the check; `assigned` is the last archive id ever assigned.
    pub fn finish(mut self, assigned: i64) -> Vec<Problem> {
        self.close();
        for link in self.links[self.next..].iter().filter(|l| l.added > 0) {
            self.problems.push(Problem::Missing {
                link: link.id,
                first: link.first_id.0,
                last: link.last_id.0,
            });
        }
        let chained = self.links.last().map_or(0, |link| link.last_id.0);
        let chained = chained.max(self.last_seen);
        if assigned > chained {
            self.problems.push(Problem::ChainCut { chained, assigned });
        }
        self.problems
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ArchiveId;

    fn link(
        id: i64,
        first: i64,
        last: i64,
        previous: [u8; 32],
        texts: &[(i64, &[u8])],
    ) -> ChainLink {
        let mut hasher = LinkHasher::new(&previous);
        for (message, text) in texts {
            hasher.add(*message, text);
        }
        ChainLink {
            id,
            batch: None,
            first_id: ArchiveId(first),
            last_id: ArchiveId(last),
            added: (last - first + 1) as u64,
            hash: hasher.finish(),
            previous_hash: previous,
        }
    }

    #[test]
    fn a_link_range_names_its_count_in_the_right_number() {
        let range = |added| Problem::LinkRange {
            link: 3,
            first: 5,
            last: 4,
            added,
        };
        assert_eq!(
            range(1).to_string(),
            "chain link 3: records 1 message with ids 5 to 4, which no writer records"
        );
        assert!(range(2).to_string().contains("records 2 messages with ids"));
    }

    fn two_links() -> Vec<ChainLink> {
        let one = link(1, 1, 2, GENESIS, &[(1, b"a"), (2, b"b")]);
        let two = link(2, 3, 4, one.hash, &[(3, b"c"), (4, b"d")]);
        vec![one, two]
    }

    fn run(links: &[ChainLink], messages: &[(i64, &[u8])], assigned: i64) -> Vec<Problem> {
        let mut check = ChainCheck::new(links);
        for (id, text) in messages {
            check.message(*id, Some(text));
        }
        check.finish(assigned)
    }

    const ALL: [(i64, &[u8]); 4] = [(1, b"a"), (2, b"b"), (3, b"c"), (4, b"d")];

    #[test]
    fn an_intact_chain_has_no_problems() {
        assert_eq!(run(&two_links(), &ALL, 4), []);
        assert_eq!(run(&[], &[], 0), []);
    }

    /// An export's link: no message, the empty range after `after`.
    fn export_link(id: i64, after: i64, previous: [u8; 32]) -> ChainLink {
        ChainLink {
            id,
            batch: None,
            first_id: ArchiveId(after + 1),
            last_id: ArchiveId(after),
            added: 0,
            hash: [id as u8; 32],
            previous_hash: previous,
        }
    }

    #[test]
    fn export_links_between_and_after_message_links_are_no_problem() {
        let one = link(1, 1, 2, GENESIS, &[(1, b"a"), (2, b"b")]);
        let export = export_link(2, 2, one.hash);
        let two = link(3, 3, 4, export.hash, &[(3, b"c"), (4, b"d")]);
        let last = export_link(4, 4, two.hash);
        let links = [one, export, two, last];
        assert_eq!(run(&links, &ALL, 4), []);
        // An empty range anywhere but right after the link before is a problem, and so is
        // a link that records no message over a range that is not empty.
        let mut moved = links.clone();
        moved[1] = export_link(2, 1, moved[0].hash);
        assert!(matches!(
            run(&moved, &ALL, 4)[..],
            [Problem::LinkRange { link: 2, .. }]
        ));
        let mut hidden = links.clone();
        hidden[2].added = 0;
        assert!(run(&hidden, &ALL, 4).contains(&Problem::LinkRange {
            link: 3,
            first: 3,
            last: 4,
            added: 0
        }));
    }

    #[test]
    fn a_changed_text_breaks_its_links_hash() {
        let messages = [(1, b"a" as &[u8]), (2, b"X"), (3, b"c"), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [Problem::LinkHash {
                link: 1,
                first: 1,
                last: 2
            }]
        );
    }

    #[test]
    fn a_removed_message_is_named() {
        let messages = [(1, b"a" as &[u8]), (2, b"b"), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [
                Problem::Missing {
                    link: 2,
                    first: 3,
                    last: 3
                },
                Problem::LinkHash {
                    link: 2,
                    first: 3,
                    last: 4
                }
            ]
        );
        let last_gone = [(1, b"a" as &[u8]), (2, b"b"), (3, b"c")];
        assert_eq!(
            run(&two_links(), &last_gone, 4),
            [
                Problem::Missing {
                    link: 2,
                    first: 4,
                    last: 4
                },
                Problem::LinkHash {
                    link: 2,
                    first: 3,
                    last: 4
                }
            ]
        );
    }

    #[test]
    fn a_whole_link_of_messages_removed_is_named() {
        let messages = [(3, b"c" as &[u8]), (4, b"d")];
        assert_eq!(
            run(&two_links(), &messages, 4),
            [Problem::Missing {
                link: 1,
                first: 1,
                last: 2
            },]
        );
    }

    #[test]
    fn a_changed_link_hash_is_named_with_the_link_after_it() {
        let mut links = two_links();
        links[0].hash[0] ^= 1;
        assert_eq!(
            run(&links, &ALL, 4),
            [
                Problem::LinkBroken {
                    link: 2,
                    previous: Some(1)
                },
                Problem::LinkHash {
                    link: 1,
                    first: 1,
                    last: 2
                }
            ]
        );
    }

    #[test]
    fn a_removed_first_link_is_named() {
        let links = two_links();
        assert_eq!(
            run(&links[1..], &ALL[2..], 4),
            [Problem::LinkBroken {
                link: 2,
                previous: None
            }]
        );
        // Its messages left behind are named too.
        assert_eq!(
            run(&links[1..], &ALL, 4),
            [
                Problem::LinkBroken {
                    link: 2,
                    previous: None
                },
                Problem::Unchained { id: 1 },
                Problem::Unchained { id: 2 }
            ]
        );
    }

    #[test]
    fn a_message_added_behind_the_chain_is_named() {
        let mut messages = ALL.to_vec();
        messages.push((5, b"e"));
        assert_eq!(
            run(&two_links(), &messages, 5),
            [Problem::Unchained { id: 5 }]
        );
    }

    #[test]
    fn a_cut_off_end_is_named() {
        let links = two_links();
        assert_eq!(
            run(&links[..1], &ALL[..2], 4),
            [Problem::ChainCut {
                chained: 2,
                assigned: 4
            }]
        );
    }
}
