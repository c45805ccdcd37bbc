//! Who chats: visitors (new or returning, with ids that grow over the years), the
//! customers they belong to, and the operators who answer.

use chrono::{DateTime, Utc};

use super::dice::Dice;
use super::vocabulary::{LANGUAGES, Language};

/// Customers shared by many visitors, how often a visitor with a customer belongs to
/// each, and the language their visitors usually write in. `IBM`/`ibm` and
/// `Acme`/`Acme Corp` are different customers on purpose (exact, case-sensitive filters).
const CUSTOMERS: [((&str, Option<Language>), f64); 14] = [
    (("IBM", Some(Language::English)), 0.20),
    (("Acme", Some(Language::English)), 0.15),
    (("Siemens", Some(Language::German)), 0.12),
    (("Tatra banka", Some(Language::Slovak)), 0.12),
    (("42", None), 0.06),
    (("Slovnaft", Some(Language::Slovak)), 0.06),
    (("Müller GmbH", Some(Language::German)), 0.05),
    (("ESET", Some(Language::Slovak)), 0.05),
    (("Orange Slovensko", Some(Language::Slovak)), 0.04),
    (("VÚB", Some(Language::Slovak)), 0.04),
    (("Acme Corp", Some(Language::English)), 0.03),
    (("Σίσυφος ΑΕ", Some(Language::Greek)), 0.03),
    (("O'Reilly Media", Some(Language::English)), 0.03),
    (("ibm", Some(Language::English)), 0.02),
];

/// Share of visitors that belong to no customer (`customerId` null).
const NO_CUSTOMER: f64 = 0.55;

/// Operators and their share of sessions. `peter` and `Peter` are two people.
const OPERATORS: [(&str, f64); 7] = [
    ("john", 0.28),
    ("peter", 0.20),
    ("anna", 0.17),
    ("mária", 0.12),
    ("Peter", 0.10),
    ("jozef", 0.10),
    ("eva", 0.03),
];

/// Share of sessions that come from a visitor seen recently.
const RETURNING: f64 = 0.25;
/// How many recent visitors are remembered for returning; bounds the memory used.
const REMEMBERED: usize = 512;
/// Share of new visitors with no id (`visitorId` null).
const NO_ID: f64 = 0.005;
/// Share of new visitors from the second id space, above 3 000 000 000.
const BIG_ID: f64 = 0.02;

/// A visitor as the sessions see them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visitor {
    pub(super) id: Option<i64>,
    pub(super) customer: Option<&'static str>,
    pub(super) language: Language,
}

/// Hands out visitors: new ones with fresh, growing ids, or recent ones coming back.
#[derive(Debug, Clone)]
pub(super) struct VisitorBook {
    recent: Vec<Visitor>,
    next_slot: usize,
    last_id: i64,
}

impl VisitorBook {
    pub(super) fn new() -> Self {
        Self {
            recent: Vec::with_capacity(REMEMBERED),
            next_slot: 0,
            last_id: 0,
        }
    }

    /// The visitor of a session starting at `at`.
    pub(super) fn visitor(&mut self, dice: &mut Dice, at: DateTime<Utc>) -> Visitor {
        if !self.recent.is_empty() && dice.chance(RETURNING) {
            return dice.pick(&self.recent);
        }
        let visitor = self.new_visitor(dice, at);
        if self.recent.len() < REMEMBERED {
            self.recent.push(visitor);
        } else {
            self.recent[self.next_slot] = visitor;
            self.next_slot = (self.next_slot + 1) % REMEMBERED;
        }
        visitor
    }

    fn new_visitor(&mut self, dice: &mut Dice, at: DateTime<Utc>) -> Visitor {
        let id = if dice.chance(NO_ID) {
            None
        } else if dice.chance(BIG_ID) {
            Some(3_000_000_000 + dice.below(2_000_000_000) as i64)
        } else {
            Some(self.next_id(dice, at))
        };
        let customer = if dice.chance(NO_CUSTOMER) {
            None
        } else {
            Some(dice.weighted(&CUSTOMERS))
        };
        let language = match customer {
            Some((_, Some(language))) if dice.chance(0.75) => language,
            _ => dice.weighted(&LANGUAGES),
        };
        Visitor {
            id,
            customer: customer.map(|(name, _)| name),
            language,
        }
    }

    /// A fresh id: above every earlier one, and following the site's growth from five
    /// digits in 2008 to seven digits by 2012.
    fn next_id(&mut self, dice: &mut Dice, at: DateTime<Utc>) -> i64 {
        const START_2008: i64 = 1_199_142_000;
        const SECONDS_PER_YEAR: f64 = 365.2425 * 86_400.0;
        let years = ((at.timestamp() - START_2008) as f64 / SECONDS_PER_YEAR).clamp(0.0, 8.0);
        let floor = (20_000.0 * 150f64.powf(years / 5.0)) as i64;
        let id = (self.last_id + dice.between(1, 40) as i64).max(floor + dice.below(500) as i64);
        self.last_id = id;
        id
    }
}

/// The operator of a session, or none when nobody picked the chat up.
pub(super) fn operator(dice: &mut Dice, nobody: f64) -> Option<&'static str> {
    if dice.chance(nobody) {
        None
    } else {
        Some(dice.weighted(&OPERATORS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_and_returning_visitors_keep_their_customer() {
        let mut dice = Dice::new(4, 0);
        let mut book = VisitorBook::new();
        let start = DateTime::from_timestamp(1_199_142_000, 0).expect("2008");
        let mut last = 0;
        let mut by_id = std::collections::HashMap::new();
        for step in 0..5_000 {
            let at = start + chrono::TimeDelta::minutes(step * 500);
            let visitor = book.visitor(&mut dice, at);
            if let Some(id) = visitor.id {
                if let Some(customer) = by_id.insert(id, visitor.customer) {
                    assert_eq!(customer, visitor.customer);
                } else if id < 3_000_000_000 {
                    assert!(id > last);
                    last = id;
                }
            }
        }
        assert!((1_000_000..10_000_000).contains(&last), "{last}");
    }
}
