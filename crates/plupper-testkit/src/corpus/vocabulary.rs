//! What people write: phrasebooks per language and side, slot fillers (products,
//! e-mail addresses, URLs, order numbers, prices), emoji, a Zipf-distributed word list
//! with a long synthetic tail, and a few words rare enough to appear only a handful of
//! times per million messages.
//!
//! Phrase lists are ordered from most to least frequent and drawn with a Zipf law, so a
//! few lines (`ok`, `Hi`) dominate and the rest form a tail. Phrases may hold slots in
//! braces (`{email}`); an unknown name in braces is written as it stands, so literal
//! braces are possible.

use super::Side;
use super::dice::Dice;

/// The language a session is held in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Language {
    English,
    Slovak,
    German,
    Greek,
}

/// How often a visitor with no customer language writes in each language.
pub(super) const LANGUAGES: [(Language, f64); 4] = [
    (Language::English, 0.64),
    (Language::Slovak, 0.20),
    (Language::German, 0.10),
    (Language::Greek, 0.06),
];

/// Where a line falls in its session, which decides the phrases it is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The side's first line.
    Opening,
    /// Anything between.
    Middle,
    /// One of the session's last lines.
    Closing,
}

/// Everything a line's text depends on.
#[derive(Debug, Clone, Copy)]
pub(super) struct Turn<'a> {
    pub(super) language: Language,
    pub(super) side: Side,
    pub(super) phase: Phase,
    pub(super) operator: Option<&'a str>,
    pub(super) year: i32,
}

/// The phrases of one language.
struct Phrasebook {
    visitor_opening: &'static [&'static str],
    visitor_middle: &'static [&'static str],
    visitor_closing: &'static [&'static str],
    operator_opening: &'static [&'static str],
    operator_middle: &'static [&'static str],
    operator_closing: &'static [&'static str],
}

impl Phrasebook {
    fn phrases(&self, side: Side, phase: Phase) -> &'static [&'static str] {
        match (side, phase) {
            (Side::Visitor, Phase::Opening) => self.visitor_opening,
            (Side::Visitor, Phase::Middle) => self.visitor_middle,
            (Side::Visitor, Phase::Closing) => self.visitor_closing,
            (Side::Operator, Phase::Opening) => self.operator_opening,
            (Side::Operator, Phase::Middle) => self.operator_middle,
            (Side::Operator, Phase::Closing) => self.operator_closing,
        }
    }
}

const ENGLISH: Phrasebook = Phrasebook {
    visitor_opening: &[
        "Hi",
        "Hello",
        "hi",
        "hello",
        "Hi there",
        "Good morning",
        "hey",
        "Hello, anyone there?",
        "Hi, I have a question",
        "Hi, I need help with my order",
        "Hello, is this the support?",
        "Can i replace the chat button with my own graphics ?",
        "Hi, I can't log in to my account",
        "Good afternoon",
        "HELLO",
        "Hi, I was told to contact you about order {order}",
        "hi, quick question about {product}",
        "Hello, I saw the 50% off banner on {url}",
    ],
    visitor_middle: &[
        "ok",
        "yes",
        "no",
        "thanks",
        "OK",
        "I see",
        "ok thanks",
        "Yes please",
        "How much does it cost?",
        "How much is {product}?",
        "I can't log in",
        "I forgot my password",
        "My order {order} has not arrived yet",
        "my email is {email}",
        "It says \"invalid password\"",
        "The order number is {order}",
        "I was charged twice",
        "Is the 50% off still valid?",
        "Do you ship to Slovakia?",
        "Where can I download the invoice?",
        "The widget doesn't show on {url}",
        "Can I pay by credit card?",
        "is there a free trial?",
        "How do I cancel my subscription?",
        "Does the {percent} discount apply to {product}?",
        "I was charged {price} but the website says {price}",
        "It's {email}",
        "Is it 100% safe?",
        "Do you have it in size XL?",
        "When will it be back in stock?",
        "I want my money back",
        "Money back guarantee?",
        "Can you give me a discount?",
        "Where do I find the settings?",
        "The page is blank in Internet Explorer 6",
        "it works in Firefox but not in IE",
        "I use {product}",
        "what?",
        "?",
        "hello??",
        "are you still there?",
        "sorry, I don't understand",
        "can you repeat that please",
        "The file is in C:\\Users\\{name}\\Documents\\invoice.pdf",
        "I typed \"yes\" but nothing happened",
        "I followed {url} but it's a 404",
        "my phone is {phone}",
        "can I talk to a human?",
        "That's too expensive",
        "is {price} the final price?",
        "what's the difference between {product} and {product}?",
        "I have {number} licenses",
        "I'll try that",
        "it worked!",
        "still not working :(",
        "ok, one moment",
        "brb",
        "Can you send it to {email} instead?",
        "Is VAT included?",
        "the price was {price} yesterday!",
        "I WANT MY MONEY BACK",
        "I need an invoice for my company",
        "and/or both?",
        "is it 50/50 or 60/40?",
        "The error says: \"Access denied\" / code {number}",
        "it says {word} something",
        "My account name is {name}_{number}",
    ],
    visitor_closing: &[
        "thanks",
        "Thank you!",
        "ok thanks, bye",
        "bye",
        "Thanks a lot",
        "thx",
        "ok",
        "Thank you, have a nice day",
        "great, thanks!",
        "Perfect, thank you",
        "bye bye",
        "cheers",
    ],
    operator_opening: &[
        "Hi, how can i help you ?",
        "Hello, how can I help you?",
        "Hi, how can I help?",
        "Good morning, how may I help you?",
        "Hello, my name is {operator}. How can I help you?",
        "Hello! What can I do for you today?",
        "Hi there! How can I help you today?",
    ],
    operator_middle: &[
        "One moment please, let me check.",
        "Sure, just go to the account settings ...",
        "Could you send me your order number?",
        "Could you tell me your e-mail address?",
        "Yes",
        "No",
        "ok",
        "Sure",
        "I have sent the invoice to {email}.",
        "The price is {price} per month.",
        "{product} costs {price}.",
        "You can find it at {url}",
        "Yes, we ship to Slovakia.",
        "The order {order} was shipped yesterday.",
        "I'm sorry for the inconvenience.",
        "Of course",
        "Please clear your browser cache and try again.",
        "Which browser do you use?",
        "Can you send me a screenshot?",
        "Let me forward you to our billing department.",
        "Try pressing Ctrl+F5",
        "It is 100% compatible with {product}.",
        "Yes, the 50% off offer is valid until Friday.",
        "You get {percent} off with the yearly plan.",
        "Please type \"reset\" into the field and press Enter.",
        "Put the file into C:\\Program Files\\Plupper\\ and restart.",
        "The path is /settings/widget/colors",
        "I've reset your password, please check {email}",
        "Refunds take 3-5 business days.",
        "Unfortunately that is not possible.",
        "Unfortunately {product} is out of stock.",
        "Your account is active again.",
        "I have refunded {price} to your card.",
        "Sorry for the wait.",
        "Please try {url}",
        "The yearly plan is {price}, that is 2 months free.",
        "Use the code SUMMER{number} at checkout for {percent} off.",
        "Is there anything else I can help you with?",
    ],
    operator_closing: &[
        "You're welcome!",
        "Have a nice day!",
        "Thank you for contacting us.",
        "Bye!",
        "Anytime :)",
        "Glad I could help.",
        "Is there anything else I can help you with?",
        "Thanks for your patience. Bye",
    ],
};

const SLOVAK: Phrasebook = Phrasebook {
    visitor_opening: &[
        "Dobrý deň",
        "Dobry den",
        "Ahoj",
        "Dobrý deň, mám otázku",
        "Dobrý deň, potrebujem pomôcť s mojím účtom",
        "Haló?",
        "Zdravím",
        "Dobrý deň, prosím vás, mám problém s objednávkou {order}",
    ],
    visitor_middle: &[
        "áno",
        "nie",
        "ok",
        "prosím",
        "Mám problém s mojím účtom",
        "Nemôžem sa prihlásiť do účtu",
        "Zabudol som heslo",
        "Koľko to stojí?",
        "Kde nájdem faktúru?",
        "Koľko stojí {product}?",
        "Objednávka {order} ešte neprišla",
        "Môj e-mail je {email}",
        "Účet mi bol zablokovaný",
        "Dá sa platiť kartou?",
        "Je to aj v slovenčine?",
        "Posielate aj do Česka?",
        "Chcem vrátiť peniaze",
        "ÚČET JE ZABLOKOVANÝ",
        "Platil som {price}",
        "A zľava 50% platí aj na {product}?",
        "nerozumiem",
        "ešte ste tam?",
        "prosím vás, kedy to príde?",
        "Ďakujem, skúsim to",
        "stále to nefunguje",
        "funguje to!",
        "číslo objednávky je {order}",
        "ďakujem za info",
        "Dá sa to zaplatiť na faktúru?",
        "Súbor mám v C:\\Dokumenty\\faktúra.pdf",
    ],
    visitor_closing: &[
        "ďakujem",
        "Ďakujem",
        "Ďakujem pekne",
        "ďakujem, dovidenia",
        "Ďakujem, pekný deň",
        "dakujem",
        "vďaka",
        "Dovidenia",
    ],
    operator_opening: &[
        "Dobrý deň, ako vám môžem pomôcť?",
        "Dobrý deň, s čím vám môžem pomôcť?",
        "Dobrý deň, volám sa {operator}, ako vám pomôžem?",
        "Zdravím, ako vám môžem pomôcť?",
    ],
    operator_middle: &[
        "Moment prosím, pozriem sa na to.",
        "Prosím, pošlite mi číslo objednávky.",
        "Prosím",
        "Áno",
        "Faktúru nájdete v sekcii Môj účet.",
        "Váš účet je opäť aktívny.",
        "Cena je {price} mesačne.",
        "Áno, posielame aj do Českej republiky.",
        "Heslo si zmeníte na {url}",
        "Poslala som vám e-mail na {email}.",
        "Nie, to žiaľ nie je možné.",
        "Ospravedlňujeme sa za komplikácie.",
        "Objednávka {order} bola odoslaná včera.",
        "Zľava 50% platí do piatku.",
        "Skúste prosím vymazať cache prehliadača.",
        "Súbor nájdete v C:\\Program Files\\Plupper",
        "Na účet vám vrátime {price}.",
    ],
    operator_closing: &[
        "Prosím, rado sa stalo.",
        "Nie je za čo.",
        "Pekný deň prajem!",
        "Ďakujeme, dovidenia.",
        "Ak budete ešte niečo potrebovať, ozvite sa.",
    ],
};

const GERMAN: Phrasebook = Phrasebook {
    visitor_opening: &[
        "Guten Tag",
        "Hallo",
        "Grüß Gott",
        "Guten Morgen",
        "Hallo, ich habe eine Frage",
    ],
    visitor_middle: &[
        "ja",
        "nein",
        "ok",
        "Welche Größe soll ich bestellen?",
        "Haben Sie das in Größe XL?",
        "Meine Adresse ist Hauptstraße 5, 80331 München",
        "Wie viel kostet {product}?",
        "Ich kann mich nicht einloggen",
        "Meine Bestellnummer ist {order}",
        "Meine E-Mail ist {email}",
        "Ich wohne in der Goethestraße 12",
        "Straße oder Strasse?",
        "Die Schrift ist zu GROSS",
        "Wann kommt die Lieferung?",
        "Liefern Sie auch nach Österreich?",
        "Ich möchte mein Geld zurück",
        "Gibt es einen Rabatt?",
        "Gilt 50% off auch für {product}?",
        "Das ist zu teuer",
        "Ich verstehe nicht",
        "Funktioniert immer noch nicht",
        "Können Sie mir helfen?",
        "Die Rechnung über {price} ist falsch",
        "ÄNDERUNG der Lieferadresse bitte",
    ],
    visitor_closing: &[
        "Danke",
        "Vielen Dank!",
        "Danke schön, tschüss",
        "Tschüss",
        "Auf Wiedersehen",
        "Danke, schönen Tag noch",
    ],
    operator_opening: &[
        "Guten Tag, wie kann ich Ihnen helfen?",
        "Hallo, wie kann ich helfen?",
        "Guten Tag, mein Name ist {operator}. Wie kann ich helfen?",
    ],
    operator_middle: &[
        "Einen Moment bitte.",
        "Welche Größe tragen Sie normalerweise?",
        "Ja, natürlich.",
        "Die Größe M ist noch verfügbar.",
        "Bitte geben Sie Ihre Bestellnummer an.",
        "Die Lieferung nach Österreich dauert 3 Tage.",
        "Der Preis beträgt {price}.",
        "Sie finden das unter {url}",
        "Leider ist das nicht möglich.",
        "Ich habe die Rechnung an {email} geschickt.",
        "Bitte schreiben Sie die Straße in GROSSBUCHSTABEN.",
        "Ihre Bestellung {order} wurde versandt.",
    ],
    operator_closing: &[
        "Gern geschehen!",
        "Schönen Tag noch!",
        "Auf Wiederhören.",
        "Danke für Ihre Geduld.",
    ],
};

const GREEK: Phrasebook = Phrasebook {
    visitor_opening: &[
        "Γεια σας",
        "Καλημέρα",
        "Καλησπέρα σας",
        "Γεια",
        "Καλημέρα σας, έχω μια ερώτηση",
    ],
    visitor_middle: &[
        "ναι",
        "όχι",
        "οκ",
        "Πόσο κοστίζει το {product};",
        "Ο λογαριασμός μου δεν λειτουργεί",
        "Η διεύθυνσή μου είναι ΟΔΟΣ ΕΡΜΟΥ 12, Αθήνα",
        "Το email μου είναι {email}",
        "ΟΔΟΣ Σταδίου 5",
        "Ξέχασα τον κωδικό μου",
        "Πότε θα έρθει η παραγγελία {order};",
        "Σίσυφος ΑΕ",
        "Ο Σίσυφος είναι το όνομα της εταιρείας μας",
        "Δεν καταλαβαίνω",
        "ΔΕΝ ΛΕΙΤΟΥΡΓΕΙ",
        "Μπορώ να πληρώσω με κάρτα;",
        "Έχει έκπτωση 50%;",
    ],
    visitor_closing: &[
        "Ευχαριστώ",
        "Ευχαριστώ πολύ",
        "Ευχαριστώ, γεια σας",
        "Αντίο",
    ],
    operator_opening: &[
        "Γεια σας, πώς μπορώ να σας βοηθήσω;",
        "Καλημέρα σας, πώς μπορώ να βοηθήσω;",
    ],
    operator_middle: &[
        "Μια στιγμή παρακαλώ.",
        "Παρακαλώ στείλτε μου τον αριθμό παραγγελίας σας.",
        "Ναι, φυσικά.",
        "Η τιμή είναι {price}.",
        "Θα βρείτε τις ρυθμίσεις στο {url}",
        "Σας έστειλα email στο {email}.",
        "Η παραγγελία σας {order} στάλθηκε χθες.",
        "Λυπάμαι για την ταλαιπωρία σας.",
    ],
    operator_closing: &[
        "Παρακαλώ!",
        "Καλή σας μέρα!",
        "Ευχαριστούμε πολύ, γεια σας.",
    ],
};

const EMOJI: [&str; 20] = [
    "👍",
    "🙂",
    ":)",
    "😀",
    ":-)",
    ":D",
    "😉",
    "🙏",
    "👌",
    "😂",
    "❤️",
    "🎉",
    "😡",
    "🤔",
    ";)",
    "👨‍💻",
    "🇸🇰",
    "☺",
    "😢",
    "✔",
];

const PRODUCTS: [&str; 20] = [
    "Plupper Basic",
    "Plupper Pro",
    "Plupper Enterprise",
    "ChatButton 2.0",
    "iPhone 3GS",
    "Windows Vista",
    "Nokia N95",
    "Office 2007",
    "Windows 7",
    "ThinkPad T61",
    "Firefox 3.5",
    "Škoda Octavia",
    "MacBook Pro",
    "Photoshop CS4",
    "BlackBerry Bold",
    "Internet Explorer 6",
    "Galaxy S II",
    "WidgetMaster 3000",
    "Acme Rocket Skates",
    "Müller Fön XL",
];

const FIRST_NAMES: [&str; 16] = [
    "john", "peter", "jana", "michal", "lucia", "tomas", "hans", "klaus", "giorgos", "maria",
    "anna", "eva", "martin", "zuzana", "stefan", "dimitra",
];

const SURNAMES: [&str; 10] = [
    "smith",
    "novak",
    "kovac",
    "horvath",
    "mueller",
    "schmidt",
    "papadopoulos",
    "varga",
    "brown",
    "tothova",
];

const MAIL_DOMAINS: [&str; 13] = [
    "gmail.com",
    "yahoo.com",
    "azet.sk",
    "hotmail.com",
    "centrum.sk",
    "post.sk",
    "gmx.de",
    "web.de",
    "ibm.com",
    "acme.com",
    "siemens.com",
    "otenet.gr",
    "example.org",
];

const HOSTS: [&str; 9] = [
    "www.plupper.com",
    "plupper.com",
    "shop.acme.com",
    "www.example.com",
    "www.tatrabanka.sk",
    "www.siemens.de",
    "intranet.ibm.com",
    "www.ebay.com",
    "eshop.sk",
];

const PATHS: [&str; 10] = [
    "/",
    "",
    "/pricing",
    "/help/faq",
    "/account/settings",
    "/cart",
    "/download/plupper-setup.exe",
    "/index.php",
    "/de/produkte/größe",
    "/blog/2009/05/new-widget",
];

const QUERIES: [&str; 5] = [
    "?id={number}",
    "?lang=sk&ref=chat",
    "?q=money%20back",
    "?utm_source=chat&utm_medium=widget",
    "#contact",
];

/// The most frequent words of free-typed text, most frequent first. Ranks beyond the
/// list are synthetic words (see [`synthetic_word`]).
const COMMON_WORDS: [&str; 117] = [
    "the", "i", "to", "you", "it", "a", "is", "and", "my", "for", "can", "not", "do", "on", "that",
    "this", "have", "with", "in", "of", "it's", "be", "me", "what", "how", "but", "when", "your",
    "please", "we", "will", "get", "there", "just", "so", "if", "no", "yes", "at", "was", "from",
    "account", "order", "help", "ok", "problem", "need", "want", "would", "like", "know", "page",
    "price", "work", "working", "doesn't", "don't", "can't", "again", "now", "today", "email",
    "password", "login", "button", "chat", "website", "site", "click", "error", "money", "pay",
    "paid", "card", "invoice", "delivery", "shipping", "address", "phone", "number", "time", "day",
    "week", "still", "already", "why", "where", "which", "who", "some", "all", "more", "any",
    "one", "two", "new", "old", "good", "bad", "thanks", "sorry", "maybe", "really", "very",
    "much", "too", "also", "only", "then", "here", "see", "try", "tried", "said", "told", "send",
    "sent",
];

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "tra", "vo", "zu", "ber", "shi", "pel", "dor", "qua", "fen", "gri",
    "sto", "lum", "ix", "ar", "den", "pa", "ro", "sel", "ti", "wen",
];

/// Ranks of the free-text vocabulary: a long tail of mostly synthetic words.
const VOCABULARY_SIZE: usize = 200_000;
const VOCABULARY_EXPONENT: f64 = 1.3;

/// Words appended to about [`RARE_WORD_RATE`] of all lines, each a handful of times per
/// million lines: needles for search benchmarks.
pub(super) const RARE_WORDS: [&str; 12] = [
    "quokka",
    "zyzzyva",
    "Popocatépetl",
    "xylophagous",
    "čučoriedkový",
    "Donaudampfschifffahrt",
    "ξυλόφωνο",
    "Llanfairpwllgwyngyll",
    "kumquat",
    "sesquipedalian",
    "floccinaucinihilipilification",
    "Ωμέγα-3",
];
/// Three per million lines for each rare word.
const RARE_WORD_RATE: f64 = 3.0e-6 * RARE_WORDS.len() as f64;

/// Lines of a pasted error report; long pastes repeat these with varying numbers.
const PASTE_LINES: [&str; 8] = [
    "Error: Cannot read property 'style' of undefined",
    "    at Widget.init (http://cdn.plupper.com/js/widget.js:{number}:7)",
    "    at HTMLDocument.<anonymous> (http://{host}/index.php:{number}:12)",
    "Warning: file \"C:\\Users\\{name}\\AppData\\Local\\Temp\\plupper.log\" not found",
    "\tcaused by: java.net.SocketTimeoutException: Read timed out",
    "{\"status\":\"error\",\"code\":{number},\"path\":\"/api/v1/chat\"}",
    "GET /resources/message?from=01/01/09&to=12/31/09 HTTP/1.1 500",
    "Größe: {number} KB, Straße: n/a, 100% CPU",
];

/// The text of one line (never the session's entry line).
pub(super) fn compose(dice: &mut Dice, turn: &Turn<'_>) -> String {
    let mut text = String::new();
    let roll = dice.unit();
    let visitor = turn.side == Side::Visitor;
    if roll < 1.0 / 20_000.0 {
        // Someone pressed Enter on an empty box.
    } else if visitor && roll < 1.0 / 20_000.0 + 1.0 / 3_000.0 {
        paste(dice, &mut text);
    } else if roll < if visitor { 0.03 } else { 0.01 } {
        text.push_str(dice.pick(&EMOJI));
    } else if turn.phase == Phase::Middle && roll < if visitor { 0.08 } else { 0.02 } {
        free_text(dice, &mut text);
    } else {
        let language = if dice.chance(0.04) {
            Language::English
        } else {
            turn.language
        };
        let phrases = phrasebook(language).phrases(turn.side, turn.phase);
        let phrase = phrases[dice.zipf(phrases.len(), 1.0)];
        fill(dice, turn, phrase, &mut text);
    }
    if !text.is_empty() && dice.chance(0.03) {
        text.push(' ');
        text.push_str(dice.pick(&EMOJI));
    }
    if dice.chance(RARE_WORD_RATE) {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(dice.pick(&RARE_WORDS));
    }
    text
}

fn phrasebook(language: Language) -> &'static Phrasebook {
    match language {
        Language::English => &ENGLISH,
        Language::Slovak => &SLOVAK,
        Language::German => &GERMAN,
        Language::Greek => &GREEK,
    }
}

/// Appends `template` with its slots filled. A `{` that does not open a known slot is
/// literal text, so JSON in a template stays as it is.
fn fill(dice: &mut Dice, turn: &Turn<'_>, template: &str, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after
            .find('}')
            .filter(|&close| fill_slot(dice, turn, &after[..close], out));
        match filled {
            Some(close) => rest = &after[close + 1..],
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Appends a value for `slot`; false when the slot name is unknown.
fn fill_slot(dice: &mut Dice, turn: &Turn<'_>, slot: &str, out: &mut String) -> bool {
    match slot {
        "product" => out.push_str(dice.pick(&PRODUCTS)),
        "email" => email(dice, out),
        "url" => url(dice, turn, out),
        "order" => order(dice, turn.year, out),
        "price" => price(dice, out),
        "percent" => percent(dice, out),
        "name" => out.push_str(dice.pick(&FIRST_NAMES)),
        "operator" => out.push_str(turn.operator.unwrap_or("Support")),
        "number" => out.push_str(&dice.between(1, 9999).to_string()),
        "phone" => out.push_str(&format!(
            "+421 9{:02} {:03} {:03}",
            dice.below(100),
            dice.below(1000),
            dice.below(1000)
        )),
        "word" => out.push_str(&word(dice)),
        "host" => out.push_str(dice.pick(&HOSTS)),
        _ => return false,
    }
    true
}

fn email(dice: &mut Dice, out: &mut String) {
    let first = dice.pick(&FIRST_NAMES);
    let last = dice.pick(&SURNAMES);
    let local = match dice.below(6) {
        0 => format!("{first}.{last}"),
        1 => format!("{first}{}", dice.between(1, 99)),
        2 => format!("{}.{last}", &first[..1]),
        3 => format!("{first}+plupper"),
        4 => format!("{}.{}", capitalize(first), capitalize(last)),
        _ => format!("{first}_{last}{}", dice.between(60, 95)),
    };
    out.push_str(&local);
    out.push('@');
    out.push_str(dice.pick(&MAIL_DOMAINS));
}

fn url(dice: &mut Dice, turn: &Turn<'_>, out: &mut String) {
    out.push_str(if dice.chance(0.7) {
        "http://"
    } else {
        "https://"
    });
    out.push_str(dice.pick(&HOSTS));
    out.push_str(dice.pick(&PATHS));
    if dice.chance(0.3) {
        let query = dice.pick(&QUERIES);
        fill(dice, turn, query, out);
    }
}

fn order(dice: &mut Dice, year: i32, out: &mut String) {
    let text = match dice.below(4) {
        0 => format!("#{:06}", dice.below(1_000_000)),
        1 => format!("ORD-{year}-{:05}", dice.below(100_000)),
        2 => format!("A{:07}", dice.below(10_000_000)),
        _ => format!("{}", dice.between(10_000, 99_999)),
    };
    out.push_str(&text);
}

fn price(dice: &mut Dice, out: &mut String) {
    let whole = [5, 9, 19, 29, 49, 99, 149, 299, 1299][dice.zipf(9, 0.8)];
    let text = match dice.below(10) {
        0..=5 => format!(
            "${whole}.{}",
            ["99", "00", "95", "50"][dice.below(4) as usize]
        ),
        6 => format!("${whole}"),
        7 if whole >= 1000 => format!("${},{:03}.00", whole / 1000, whole % 1000),
        7 => format!("${whole}.00"),
        8 => format!("€{whole}.90"),
        _ => format!("{whole},90 €"),
    };
    out.push_str(&text);
}

fn percent(dice: &mut Dice, out: &mut String) {
    out.push_str(["20%", "50% off", "10%", "100%", "15 %", "99.9%", "5%"][dice.zipf(7, 1.0)]);
}

/// Free-typed text: a few words from the long-tail vocabulary.
fn free_text(dice: &mut Dice, out: &mut String) {
    let words = dice.between(3, 14);
    for index in 0..words {
        if index > 0 {
            out.push(' ');
        }
        let word = word(dice);
        if index == 0 && dice.chance(0.5) {
            out.push_str(&capitalize(&word));
        } else {
            out.push_str(&word);
        }
    }
    out.push_str(["", ".", "?", "!", "...", " ?"][dice.below(6) as usize]);
}

/// One word of the long-tail vocabulary.
fn word(dice: &mut Dice) -> String {
    let rank = dice.zipf(VOCABULARY_SIZE, VOCABULARY_EXPONENT);
    match COMMON_WORDS.get(rank) {
        Some(word) => (*word).to_owned(),
        None => synthetic_word(rank - COMMON_WORDS.len()),
    }
}

/// The word of tail rank `rank`: syllables spelling `rank` in base 24, at least two of
/// them, so every rank has its own word.
fn synthetic_word(rank: usize) -> String {
    let mut n = rank + SYLLABLES.len();
    let mut word = String::new();
    while n > 0 {
        word.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    word
}

/// A pasted error report of a few hundred bytes to a few kilobytes, over several lines.
fn paste(dice: &mut Dice, out: &mut String) {
    let lines = dice.between(4, 30);
    let turn = Turn {
        language: Language::English,
        side: Side::Visitor,
        phase: Phase::Middle,
        operator: None,
        year: 2009,
    };
    for index in 0..lines {
        if index > 0 {
            out.push('\n');
        }
        let line = dice.pick(&PASTE_LINES);
        fill(dice, &turn, line, out);
    }
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_words_are_distinct() {
        let words: std::collections::HashSet<String> = (0..10_000).map(synthetic_word).collect();
        assert_eq!(words.len(), 10_000);
    }

    #[test]
    fn slots_are_filled_and_unknown_braces_kept() {
        let mut dice = Dice::new(9, 0);
        let turn = Turn {
            language: Language::English,
            side: Side::Operator,
            phase: Phase::Middle,
            operator: Some("mária"),
            year: 2010,
        };
        let mut out = String::new();
        let template = "I am {operator}, {\"a\":{number}} {order} {x";
        fill(&mut dice, &turn, template, &mut out);
        assert!(out.starts_with("I am mária, {\"a\":"), "{out}");
        assert!(out.ends_with(" {x"), "{out}");
        assert!(
            !out.contains("{order}") && !out.contains("{number}"),
            "{out}"
        );
    }

    #[test]
    fn every_phrase_list_is_non_empty() {
        for language in LANGUAGES.map(|(language, _)| language) {
            for side in [Side::Visitor, Side::Operator] {
                for phase in [Phase::Opening, Phase::Middle, Phase::Closing] {
                    assert!(!phrasebook(language).phrases(side, phase).is_empty());
                }
            }
        }
    }
}
