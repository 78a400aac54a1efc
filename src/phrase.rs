//! Briefing phrases: the template each activity type carries, such as
//! `carried out {count} {noun}[ in relation to {detail}]`. `{count}` and
//! `{noun}` always have a value; `{detail}`, `{partner}`, `{area}` and
//! `{force}` have one only when every event of the tally shares it, and a
//! `[bracketed]` part is left out when a placeholder inside it has none.
//! Parsed once, so `type add`/`type edit` refuse a bad template up front.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PhraseError {
    #[error("unknown placeholder {{{0}}} in the phrase (expected {{count}}, {{noun}}, {{detail}}, {{partner}}, {{area}} or {{force}})")]
    Unknown(String),
    #[error("unbalanced {0:?} in the phrase (brackets may not nest and must close)")]
    Unbalanced(char),
    #[error("the phrase has no {{count}}: the briefing would not say how many")]
    NoCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Count,
    Noun,
    Detail,
    Partner,
    Area,
    Force,
}

impl Slot {
    fn parse(name: &str) -> Result<Slot, PhraseError> {
        Ok(match name {
            "count" => Slot::Count,
            "noun" => Slot::Noun,
            "detail" => Slot::Detail,
            "partner" => Slot::Partner,
            "area" => Slot::Area,
            "force" => Slot::Force,
            other => return Err(PhraseError::Unknown(other.to_string())),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(Slot),
    Optional(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phrase {
    pieces: Vec<Piece>,
}

/// What a phrase is filled with.
pub trait Values {
    fn get(&self, slot: Slot) -> Option<String>;
}

impl Phrase {
    pub fn parse(template: &str) -> Result<Phrase, PhraseError> {
        let mut top: Vec<Piece> = Vec::new();
        let mut optional: Option<Vec<Piece>> = None;
        let mut text = String::new();
        let mut chars = template.chars();
        let mut has_count = false;
        fn flush(text: &mut String, into: &mut Vec<Piece>) {
            if !text.is_empty() {
                into.push(Piece::Text(std::mem::take(text)));
            }
        }
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    flush(&mut text, optional.as_mut().unwrap_or(&mut top));
                    let mut name = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => name.push(c),
                            None => return Err(PhraseError::Unbalanced('{')),
                        }
                    }
                    let slot = Slot::parse(name.trim())?;
                    has_count |= slot == Slot::Count && optional.is_none();
                    optional
                        .as_mut()
                        .unwrap_or(&mut top)
                        .push(Piece::Slot(slot));
                }
                '}' => return Err(PhraseError::Unbalanced('}')),
                '[' => {
                    if optional.is_some() {
                        return Err(PhraseError::Unbalanced('['));
                    }
                    flush(&mut text, &mut top);
                    optional = Some(Vec::new());
                }
                ']' => {
                    let Some(mut inner) = optional.take() else {
                        return Err(PhraseError::Unbalanced(']'));
                    };
                    flush(&mut text, &mut inner);
                    top.push(Piece::Optional(inner));
                }
                c => text.push(c),
            }
        }
        if optional.is_some() {
            return Err(PhraseError::Unbalanced('['));
        }
        flush(&mut text, &mut top);
        if !has_count {
            return Err(PhraseError::NoCount);
        }
        Ok(Phrase { pieces: top })
    }

    pub fn render(&self, values: &dyn Values) -> String {
        let mut out = String::new();
        render_into(&self.pieces, values, &mut out);
        out
    }
}

/// Renders `pieces`; false when a slot has no value (the caller drops the
/// optional part that holds it).
fn render_into(pieces: &[Piece], values: &dyn Values, out: &mut String) -> bool {
    for p in pieces {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Slot(s) => match values.get(*s) {
                Some(v) => out.push_str(&v),
                None => return false,
            },
            Piece::Optional(inner) => {
                let mut part = String::new();
                if render_into(inner, values, &mut part) {
                    out.push_str(&part);
                }
            }
        }
    }
    true
}

/// Press style: one to nine in words, 10 and over in figures with thousands
/// separators ("nine warrants", "80 visits", "2,131 arrests").
pub fn press_number(n: i64) -> String {
    const WORDS: [&str; 10] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    match usize::try_from(n) {
        Ok(i) if i < WORDS.len() => WORDS[i].to_string(),
        _ => crate::output::thousands(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct V(Option<&'static str>);
    impl Values for V {
        fn get(&self, slot: Slot) -> Option<String> {
            match slot {
                Slot::Count => Some("nine".into()),
                Slot::Noun => Some("warrants".into()),
                _ => self.0.map(String::from),
            }
        }
    }

    #[test]
    fn optional_parts_need_their_values() {
        let p = Phrase::parse("carried out {count} {noun}[ in relation to {detail}]").unwrap();
        assert_eq!(
            p.render(&V(Some("making indecent images of children"))),
            "carried out nine warrants in relation to making indecent images of children"
        );
        assert_eq!(p.render(&V(None)), "carried out nine warrants");
    }

    #[test]
    fn bad_templates_are_refused() {
        assert_eq!(
            Phrase::parse("{count} {colour}"),
            Err(PhraseError::Unknown("colour".into()))
        );
        assert_eq!(
            Phrase::parse("{count} [a [b]]"),
            Err(PhraseError::Unbalanced('['))
        );
        assert_eq!(
            Phrase::parse("{count} a]"),
            Err(PhraseError::Unbalanced(']'))
        );
        assert_eq!(Phrase::parse("{count"), Err(PhraseError::Unbalanced('{')));
        assert_eq!(Phrase::parse("visited {noun}"), Err(PhraseError::NoCount));
    }

    #[test]
    fn numbers_in_press_style() {
        assert_eq!(press_number(1), "one");
        assert_eq!(press_number(9), "nine");
        assert_eq!(press_number(10), "10");
        assert_eq!(press_number(80), "80");
        assert_eq!(press_number(2131), "2,131");
    }
}
