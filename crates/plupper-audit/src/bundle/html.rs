//! `index.html`: the bundle's conversations as one self-contained page (no network, no
//! asset from anywhere else), with a search box that filters the messages in the page.
//!
//! Every text from the archive or the manifest goes through [`escape`], so a message
//! holding `<script>` shows as text. The page is written a conversation at a time, in
//! the order of the transcripts, so that `verify-bundle` rebuilds it the same way. The
//! search works from `file://` (the script is embedded); `#q=WORDS` in the address fills
//! the box when the page opens.

use std::borrow::Cow;
use std::io::{self, Write};

use plupper_store::conversation::ENTRY_LINE;

use crate::conversations::Conversation;
use crate::transcript::written_time;

/// Text for HTML element content and quoted attribute values: `& < > " '` escaped.
///
/// ```
/// use plupper_audit::bundle::html::escape;
///
/// assert_eq!(escape("<script>alert('x')</script> & \"y\""),
///     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
/// assert_eq!(escape("plain"), "plain");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// What the page says about the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInfo {
    /// The program that exported it.
    pub tool: String,
    /// When.
    pub exported_at: String,
    /// The archive's uuid.
    pub archive: String,
    /// The filter as applied (an API query string; empty: every message).
    pub filter: String,
}

const STYLE: &str = "body{font:15px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#222}
header{border-bottom:1px solid #ccc;margin-bottom:1em}
code{background:#f3f3f3;padding:0 .2em}
#q{font-size:1.1em;width:100%;padding:.3em;box-sizing:border-box}
section{border:1px solid #ddd;border-radius:4px;margin:.8em 0;padding:.3em .8em}
section h2{font-size:1em;margin:.3em 0}
ol{list-style:none;padding:0;margin:0}
li{padding:.15em 0;border-top:1px solid #f0f0f0}
li.context{color:#777}
.when,.id{color:#666;font-size:.85em;margin-right:.5em}
.who{font-weight:bold;margin-right:.4em}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
[hidden]{display:none}";

/// Filters the messages by the words in the box (all must appear, case-insensitive),
/// hides conversations left without one, and says how many messages match.
const SCRIPT: &str = r#"(function () {
  var box = document.getElementById('q');
  var count = document.getElementById('count');
  var sections = Array.prototype.slice.call(document.querySelectorAll('section'));
  function run() {
    var words = box.value.toLowerCase().split(/\s+/).filter(function (w) { return w; });
    var shown = 0;
    sections.forEach(function (section) {
      var any = false;
      Array.prototype.forEach.call(section.querySelectorAll('li'), function (li) {
        var text = li.textContent.toLowerCase();
        var hit = words.every(function (w) { return text.indexOf(w) >= 0; });
        li.hidden = !hit;
        if (hit) { any = true; shown += 1; }
      });
      section.hidden = !any;
    });
    count.textContent = words.length ? shown + ' matching messages' : '';
  }
  box.addEventListener('input', run);
  var m = /^#q=(.*)$/.exec(location.hash);
  if (m) { box.value = decodeURIComponent(m[1].replace(/\+/g, ' ')); }
  run();
})();"#;

/// The page's start: what was exported, how to check it, the search box.
pub(super) fn write_head(info: &PageInfo, out: &mut impl Write) -> io::Result<()> {
    let filter = if info.filter.is_empty() {
        Cow::Borrowed("none (every message)")
    } else {
        escape(&info.filter)
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n\
         <title>Evidence bundle exported {at}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<header>\n\
         <h1>Evidence bundle</h1>\n<p>Exported {at} from archive <code>{archive}</code> by {tool}. Filter: <code>{filter}</code>. \
         Greyed messages are context: the rest of the selected messages' conversations.</p>\n\
         <p>To check this bundle: <code>plupper-archive verify-bundle DIR --expect SHA256</code>, with the SHA-256 of \
         <code>manifest.json</code> you were given apart from the bundle (add <code>--key PUBLIC</code> for a signed \
         bundle, <code>--archive DIR</code> with the archive it came from). The files <code>messages.json</code> \
         (the originals, byte for byte), the transcripts and this page are all checked.</p>\n\
         <input id=\"q\" type=\"search\" placeholder=\"Search the messages\" autofocus> <span id=\"count\"></span>\n\
         </header>\n<main>\n",
        at = escape(&info.exported_at),
        archive = escape(&info.archive),
        tool = escape(&info.tool),
    )
}

/// One conversation: a heading with its figures, then its messages.
pub(super) fn write_conversation(
    conversation: &Conversation,
    selected: &dyn Fn(i64) -> bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let summary = &conversation.summary;
    let visitor = summary
        .visitor_id
        .map_or_else(|| "-".to_owned(), |v| v.to_string());
    let customer = summary.customer_id.as_deref().unwrap_or("-");
    writeln!(
        out,
        "<section id=\"c{id}\">\n<h2>Conversation {id}: visitor {visitor}, customer {customer}, operators {operators}, {messages} messages, {from} to {to}</h2>\n<ol>",
        id = summary.id,
        customer = escape(customer),
        operators = escape(&summary.operators.join(", ")),
        messages = summary.messages,
        from = escape(&summary.start.created),
        to = escape(&summary.end.created),
    )?;
    for stored in &conversation.messages {
        let message = &stored.message;
        let class = if selected(stored.id.0) {
            ""
        } else {
            " class=\"context\""
        };
        let who = match message.message_type.as_str() {
            "VO" => Cow::Borrowed("visitor"),
            "VT" => escape(message.operator.as_deref().unwrap_or("operator")),
            other => Cow::Owned(format!("[{}]", escape(other))),
        };
        let text = if message.message_type == "VO" && message.content == ENTRY_LINE {
            Cow::Borrowed("(visitor has entered communication)")
        } else {
            escape(&message.content)
        };
        writeln!(
            out,
            "<li id=\"m{id}\"{class}><span class=\"when\">{when}</span><span class=\"id\">#{id}</span><span class=\"who\">{who}:</span><span class=\"text\">{text}</span></li>",
            id = stored.id,
            when = escape(&written_time(stored)),
        )?;
    }
    writeln!(out, "</ol>\n</section>")
}

/// The page's end, with the script.
pub(super) fn write_foot(out: &mut impl Write) -> io::Result<()> {
    write!(
        out,
        "</main>\n<script>\n{SCRIPT}\n</script>\n</body>\n</html>\n"
    )
}
