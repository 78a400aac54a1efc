//! Briefing phrases: the template each activity type carries, such as
//! `carried out {count} {noun}[ in relation to {detail}]`. `{count}` and
//! `{noun}` always have a value; `{detail}`, `{partner}`, `{area}` and
//! `{force}` have one only when every event of the tally shares it, and a
//! `[bracketed]` part is left out when a placeholder inside it has none.
//! `{value}` is the summed value of a type with a measure, as people read
//! it ("seized {value} in cash" → "seized £77,115 in cash"); it may stand
//! outside brackets only in the phrase of a type with a measure, and a
//! bullet whose `{value}` has none (no event carries a value yet) falls
//! back to `DEFAULT_PHRASE` rather than print half a sentence.
//! Parsed once, so `type add`/`type edit` refuse a bad template up front.

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PhraseError {
    #[error("unknown placeholder {{{0}}} in the phrase (expected {{count}}, {{noun}}, {{value}}, {{detail}}, {{partner}}, {{area}} or {{force}})")]
    Unknown(String),
    #[error("unbalanced {0:?} in the phrase (brackets may not nest and must close)")]
    Unbalanced(char),
    #[error("the phrase has no {{count}}: the briefing would not say how many")]
    NoCount,
    /// A placeholder that may have no value stands outside brackets: the
    /// briefing would print half a sentence ("took in two knives from ").
    #[error("{{{slot}}} has a value only when every event shares one, so it must stand inside [brackets] that the briefing leaves out otherwise: write {suggestion:?}")]
    OutsideBrackets { slot: String, suggestion: String },
    /// `{value}` in the phrase of a type that measures nothing.
    #[error("{{value}} is the type's summed money or weight, but this type has no measure (give it one with --measure money|weight)")]
    ValueWithoutMeasure,
}

/// The phrase of a type added without one: a sentence on its own under
/// "During the week of action, officers:" ("recorded four knife surrenders").
pub const DEFAULT_PHRASE: &str = "recorded {count} {noun}";

/// What types added before `DEFAULT_PHRASE` were given: no verb, so it is
/// rendered as `DEFAULT_PHRASE`.
const OLD_DEFAULT_PHRASE: &str = "{count} {noun}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Count,
    Noun,
    /// The summed value of a type with a measure, for people: `£77,115`.
    Value,
    Detail,
    Partner,
    Area,
    Force,
}

impl Slot {
    /// Whether the slot always has a value (and so may stand outside
    /// brackets).
    pub fn always_filled(self) -> bool {
        matches!(self, Slot::Count | Slot::Noun)
    }

    fn parse(name: &str) -> Result<Slot, PhraseError> {
        Ok(match name {
            "count" => Slot::Count,
            "noun" => Slot::Noun,
            "value" => Slot::Value,
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

    /// Parses a phrase for `type add`/`type edit` of a type with `measure`:
    /// besides `parse`'s rules, only `{count}` and `{noun}` (and `{value}`
    /// for a type with a measure) may stand outside brackets; the error
    /// shows the phrase with the others bracketed. `{value}` is refused
    /// in the phrase of a type without a measure.
    pub fn parse_for_type(
        template: &str,
        measure: Option<crate::measure::Measure>,
    ) -> Result<Phrase, PhraseError> {
        let phrase = Phrase::parse(template)?;
        if measure.is_none() && phrase.has(Slot::Value) {
            return Err(PhraseError::ValueWithoutMeasure);
        }
        let outside: Vec<(usize, usize)> = outside_slots(template)
            .into_iter()
            .filter(|&(start, end)| {
                measure.is_none() || template[start + 1..end - 1].trim() != "value"
            })
            .collect();
        let Some(first) = outside.first() else {
            return Ok(phrase);
        };
        let mut suggestion = template.to_string();
        // Right to left, so the earlier positions stay valid.
        for &(start, end) in outside.iter().rev() {
            let before = &suggestion[..start];
            let trimmed = before.trim_end();
            // Take the word before the placeholder into the brackets
            // ("[ from {area}]"), unless that is a placeholder or a bracket.
            let from = if trimmed.ends_with(['}', ']']) || trimmed.is_empty() {
                trimmed.len()
            } else {
                let word = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                trimmed[..word].trim_end().len()
            };
            suggestion.insert(end, ']');
            suggestion.insert(from, '[');
        }
        Err(PhraseError::OutsideBrackets {
            slot: template[first.0 + 1..first.1 - 1].trim().to_string(),
            suggestion,
        })
    }

    /// Whether the phrase uses `slot` anywhere.
    pub fn has(&self, slot: Slot) -> bool {
        fn any(pieces: &[Piece], slot: Slot) -> bool {
            pieces.iter().any(|p| match p {
                Piece::Slot(s) => *s == slot,
                Piece::Optional(inner) => any(inner, slot),
                Piece::Text(_) => false,
            })
        }
        any(&self.pieces, slot)
    }

    /// The phrase filled in; `None` when a placeholder outside brackets has
    /// no value (a phrase stored before `parse_for_type` refused that),
    /// rather than half a sentence.
    pub fn render(&self, values: &dyn Values) -> Option<String> {
        let mut out = String::new();
        render_into(&self.pieces, values, &mut out).then_some(out)
    }

    /// A type's briefing bullet: its phrase, or `DEFAULT_PHRASE` when the
    /// phrase is the old verbless default, no longer parses (edited by
    /// hand in the database) or cannot be filled in.
    pub fn bullet(template: &str, values: &dyn Values) -> String {
        let template = if template.trim().is_empty() || template.trim() == OLD_DEFAULT_PHRASE {
            DEFAULT_PHRASE
        } else {
            template
        };
        Phrase::parse(template)
            .ok()
            .and_then(|p| p.render(values))
            .or_else(|| Phrase::parse(DEFAULT_PHRASE).ok()?.render(values))
            .unwrap_or_default()
    }
}

/// Byte ranges of the placeholders that stand outside brackets and may have
/// no value, in a template `parse` accepted.
fn outside_slots(template: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut in_brackets = false;
    let mut open = None;
    for (i, c) in template.char_indices() {
        match c {
            '[' => in_brackets = true,
            ']' => in_brackets = false,
            '{' => open = Some(i),
            '}' => {
                if let Some(start) = open.take() {
                    let always =
                        Slot::parse(template[start + 1..i].trim()).is_ok_and(Slot::always_filled);
                    if !in_brackets && !always {
                        found.push((start, i + 1));
                    }
                }
            }
            _ => {}
        }
    }
    found
}

/// The English plural of a noun, for a type added without `--plural`. A
/// compound pluralises its head word: the last one ("property search" →
/// "property searches"), or the one before trailing participles ("person
/// safeguarded" → "people safeguarded", "knife surrendered" → "knives
/// surrendered"). Regular rules (-s, -es, -ies, -ves) and the common
/// irregular nouns; `type add` prints what it chose so a wrong guess can be
/// corrected with `--plural`.
pub fn pluralise(noun: &str) -> String {
    let noun = noun.trim();
    let words: Vec<&str> = noun.split(' ').collect();
    let is_participle = |w: &str| w.len() > 4 && w.ends_with("ed") && !w.ends_with("eed");
    // The head: the last word that is not a trailing participle.
    let mut head = words.len().saturating_sub(1);
    while head > 0 && is_participle(words[head]) {
        head -= 1;
    }
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    if let Some(w) = out.get_mut(head) {
        *w = plural_word(w);
    }
    out.join(" ")
}

fn plural_word(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    let lower = word.to_lowercase();
    // Keep a capital the word had ("Person" → "People").
    let keep_case = |plural: &str| {
        if word.chars().next().is_some_and(char::is_uppercase) {
            let mut c = plural.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        } else {
            plural.to_string()
        }
    };
    const IRREGULAR: &[(&str, &str)] = &[
        ("person", "people"),
        ("child", "children"),
        ("man", "men"),
        ("woman", "women"),
        ("foot", "feet"),
        ("tooth", "teeth"),
        ("mouse", "mice"),
        ("goose", "geese"),
        ("ox", "oxen"),
        ("knife", "knives"),
        ("life", "lives"),
        ("wife", "wives"),
        ("midwife", "midwives"),
        ("half", "halves"),
        ("wolf", "wolves"),
        ("shelf", "shelves"),
        ("self", "selves"),
        ("leaf", "leaves"),
        ("loaf", "loaves"),
        ("thief", "thieves"),
        ("calf", "calves"),
        ("hero", "heroes"),
        ("potato", "potatoes"),
        ("tomato", "tomatoes"),
        ("echo", "echoes"),
        ("veto", "vetoes"),
        ("torpedo", "torpedoes"),
        ("analysis", "analyses"),
        ("crisis", "crises"),
        ("diagnosis", "diagnoses"),
        ("criterion", "criteria"),
        ("phenomenon", "phenomena"),
    ];
    const UNCHANGED: &[&str] = &[
        "sheep",
        "deer",
        "fish",
        "series",
        "species",
        "aircraft",
        "cannabis",
        "cash",
        "equipment",
        "evidence",
        "information",
        "ammunition",
        "police",
        "people",
        "children",
    ];
    if let Some((_, plural)) = IRREGULAR.iter().find(|(one, _)| *one == lower) {
        return keep_case(plural);
    }
    if UNCHANGED.contains(&lower.as_str()) {
        return word.to_string();
    }
    // Compounds of -man and -woman: policeman → policemen.
    const NOT_MAN: &[&str] = &["human", "german", "roman", "shaman", "talisman", "caiman"];
    if lower.ends_with("man") && !NOT_MAN.contains(&lower.as_str()) {
        return format!("{}en", &word[..word.len() - 2]);
    }
    let consonant_before = |suffix_len: usize| {
        lower[..lower.len() - suffix_len]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphabetic() && !"aeiou".contains(c))
    };
    if lower.ends_with('y') && consonant_before(1) {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    if lower.ends_with("sis") {
        return format!("{}es", &word[..word.len() - 2]);
    }
    if ["s", "x", "z", "sh", "ch"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return format!("{word}es");
    }
    format!("{word}s")
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

// Where the renderers have always found it.
pub use crate::numbers::press_number;

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
            p.render(&V(Some("making indecent images of children")))
                .unwrap(),
            "carried out nine warrants in relation to making indecent images of children"
        );
        assert_eq!(p.render(&V(None)).unwrap(), "carried out nine warrants");
    }

    #[test]
    fn placeholders_that_may_be_empty_must_be_bracketed() {
        let err =
            Phrase::parse_for_type("took in {count} {noun} from {area} today", None).unwrap_err();
        assert_eq!(
            err,
            PhraseError::OutsideBrackets {
                slot: "area".into(),
                suggestion: "took in {count} {noun}[ from {area}] today".into()
            }
        );
        let PhraseError::OutsideBrackets { suggestion, .. } =
            Phrase::parse_for_type("{detail}: {count} {noun} with {partner}", None).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(suggestion, "[{detail}]: {count} {noun}[ with {partner}]");
        assert!(Phrase::parse_for_type(&suggestion, None).is_ok());
        assert!(Phrase::parse_for_type("took in {count} {noun}[ from {area}] today", None).is_ok());
        // A stored phrase that cannot be filled in is not half rendered.
        let stored = Phrase::parse("took in {count} {noun} from {area} today").unwrap();
        assert_eq!(stored.render(&V(None)), None);
        assert_eq!(
            Phrase::bullet("took in {count} {noun} from {area} today", &V(None)),
            "recorded nine warrants"
        );
        assert_eq!(
            Phrase::bullet("{count} {noun}", &V(None)),
            "recorded nine warrants"
        );
    }

    #[test]
    fn value_needs_a_measure() {
        use crate::measure::Measure;
        let money = Some(Measure::Money);
        assert!(Phrase::parse_for_type("seized {value} in cash in {count} {noun}", money).is_ok());
        assert_eq!(
            Phrase::parse_for_type("seized {value} in {count} {noun}", None),
            Err(PhraseError::ValueWithoutMeasure)
        );
        assert_eq!(
            Phrase::parse_for_type("seized {count} {noun}[ worth {value}]", None),
            Err(PhraseError::ValueWithoutMeasure)
        );
        // Other placeholders still need brackets on a type with a measure.
        assert!(matches!(
            Phrase::parse_for_type("seized {value} from {area} in {count} {noun}", money),
            Err(PhraseError::OutsideBrackets { .. })
        ));
        struct Cash(Option<&'static str>);
        impl Values for Cash {
            fn get(&self, slot: Slot) -> Option<String> {
                match slot {
                    Slot::Count => Some("three".into()),
                    Slot::Noun => Some("cash seizures".into()),
                    Slot::Value => self.0.map(String::from),
                    _ => None,
                }
            }
        }
        let phrase = "seized {value} in cash in {count} {noun}";
        assert_eq!(
            Phrase::bullet(phrase, &Cash(Some("£77,115"))),
            "seized £77,115 in cash in three cash seizures"
        );
        // No value yet: a sentence all the same.
        assert_eq!(
            Phrase::bullet(phrase, &Cash(None)),
            "recorded three cash seizures"
        );
        assert_eq!(
            Phrase::bullet("seized[ {value} in] cash in {count} {noun}", &Cash(None)),
            "seized cash in three cash seizures"
        );
    }

    #[test]
    fn english_plurals() {
        for (one, many) in [
            ("search", "searches"),
            ("property search", "property searches"),
            ("box", "boxes"),
            ("knife", "knives"),
            ("life", "lives"),
            ("party", "parties"),
            ("day", "days"),
            ("person", "people"),
            ("child", "children"),
            ("man", "men"),
            ("woman", "women"),
            ("policeman", "policemen"),
            ("human", "humans"),
            ("safe", "safes"),
            ("roof", "roofs"),
            ("address", "addresses"),
            ("warrant", "warrants"),
            ("knife surrender", "knife surrenders"),
            ("person safeguarded", "people safeguarded"),
            ("knife surrendered", "knives surrendered"),
            ("child safeguarded", "children safeguarded"),
            ("victim identified", "victims identified"),
            ("drug seizure", "drug seizures"),
            ("analysis", "analyses"),
            ("sheep", "sheep"),
            ("photo", "photos"),
            ("Person", "People"),
            ("bed", "beds"),
        ] {
            assert_eq!(pluralise(one), many, "{one}");
        }
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
}
