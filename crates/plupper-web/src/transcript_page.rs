//! `/conversations/{id}`: a conversation as a chat reads, each message anchored `#m{id}`,
//! with the visitor's previous and next conversation.

use maud::{Markup, html};
use plupper_archive::{Archive, ConversationId, StoredMessage};
use plupper_audit::summary::{MessageTime, human_duration};
use plupper_audit::transcript::{speaker, written_time};
use plupper_store::conversation::ENTRY_LINE;

use crate::form::conversation_id;
use crate::layout::{self, Section, counted};
use crate::text::{lines, shown};
use crate::{Error, Page};

/// Silence longer than this between two messages is shown as a gap.
const GAP_SHOWN_SECONDS: i64 = 5 * 60;

pub(crate) fn render(archive: &Archive, id: &str) -> Result<Page, Error> {
    let id = conversation_id(id)?;
    let conversation = archive
        .conversation(id)?
        .ok_or_else(|| Error::NoConversation(id.0.to_string()))?;
    let (previous, next) = archive.conversations_beside(id)?;
    let summary = &conversation.summary;
    let first_response = match (
        summary.first_response,
        summary.first_line,
        summary.first_reply,
    ) {
        (Some(seconds), Some(line), Some(reply)) => html! {
            (human_duration(seconds)) " (" a href=(format!("#m{}", line.0)) { "#" (line.0) }
            " to " a href=(format!("#m{}", reply.0)) { "#" (reply.0) } ")"
        },
        _ if summary.unanswered() => html! { "none: unanswered" },
        _ => html! { "–" },
    };
    let visitor_link = summary
        .visitor_id
        .map(|visitor| (visitor, format!("/search?visitorId={visitor}")));
    let content = html! {
        h1 { "Conversation " (id) }
        (beside(previous, next))
        dl.summary {
            dt { "Visitor" }
            dd { @match &visitor_link { Some((visitor, href)) => a href=(href) { (visitor) }, None => "–" } }
            dt { "Customer" }
            dd { @match &summary.customer_id { Some(customer) => (shown(customer)), None => "–" } }
            dt { "Operators" }
            dd { @if summary.operators.is_empty() { "–" } @else { (shown(&summary.operators.join(", "))) } }
            dt { "From" } dd { (shown(&summary.start.created)) }
            dt { "To" } dd { (shown(&summary.end.created)) }
            dt { "Messages" } dd { (counted(summary.messages, "message", "messages")) }
            dt { "First response" } dd { (first_response) }
        }
        ol.transcript aria-label="Messages" {
            @for (i, stored) in conversation.messages.iter().enumerate() {
                @if let Some(gap) = i.checked_sub(1).and_then(|p| gap(&conversation.messages[p], stored)) {
                    li.gap aria-hidden="true" { (human_duration(gap)) " later" }
                }
                (message(stored))
            }
        }
        (beside(previous, next))
    };
    let title = format!("Conversation {id}");
    Ok(Page::html(
        200,
        layout::document(&title, Section::None, content),
    ))
}

/// The seconds of silence before `stored` when they are worth showing.
fn gap(before: &StoredMessage, stored: &StoredMessage) -> Option<i64> {
    let seconds = MessageTime::of(stored).sort_key() - MessageTime::of(before).sort_key();
    (seconds > GAP_SHOWN_SECONDS).then_some(seconds)
}

fn message(stored: &StoredMessage) -> Markup {
    let message = &stored.message;
    let anchor = format!("m{}", stored.id.0);
    let entry = message.message_type == "VO" && message.content == ENTRY_LINE;
    let side = match message.message_type.as_str() {
        _ if entry => "system",
        "VO" => "visitor",
        "VT" => "operator",
        _ => "other",
    };
    html! {
        li id=(anchor) class=(format!("message {side}")) {
            div.meta {
                a.permalink href=(format!("#{anchor}")) aria-label=(format!("message {}", stored.id.0)) { "#" (stored.id.0) }
                " "
                time { (written_time(stored)) }
                " "
                @if !entry { span.who { (speaker(stored)) } }
            }
            @if entry {
                p.text { "(visitor has entered communication)" }
            } @else {
                p.text { (lines(&message.content)) }
            }
        }
    }
}

fn beside(previous: Option<ConversationId>, next: Option<ConversationId>) -> Markup {
    html! {
        @if previous.is_some() || next.is_some() {
            nav.beside aria-label="This visitor's other conversations" {
                @if let Some(previous) = previous {
                    a rel="prev" href=(format!("/conversations/{previous}")) { "← Previous conversation" }
                }
                @if let Some(next) = next {
                    a rel="next" href=(format!("/conversations/{next}")) { "Next conversation →" }
                }
            }
        }
    }
}
