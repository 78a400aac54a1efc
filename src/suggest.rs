//! "Did you mean …?": the known name nearest to a mistyped operation code or
//! activity type key, so `offender-vist` is answered with `offender-visit`
//! rather than only "unknown".

/// The name in `known` nearest to `typed` by edit distance (a swap of two
/// neighbouring letters counts once), if it is near enough to be the
/// likely intent: at most one edit in three characters, at least one.
/// Ties go to the first in `known`.
pub fn nearest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.trim();
    let mut best: Option<(usize, &str)> = None;
    for name in known {
        if name == typed {
            continue;
        }
        let d = strsim::damerau_levenshtein(typed, name);
        let limit = (typed.chars().count().max(name.chars().count()) / 3).max(1);
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, name));
        }
    }
    best.map(|(_, name)| name)
}

/// The bracket after "unknown … "x"": the suggestion, or where to look.
pub fn hint(suggestion: Option<&str>, see: &str) -> String {
    match suggestion {
        Some(s) => format!("(did you mean {s}?)"),
        None => format!("(see `{see}`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_near_name_only() {
        let known = ["warrant", "offender-visit", "device-seizure"];
        assert_eq!(nearest("offender-vist", known), Some("offender-visit"));
        assert_eq!(nearest("wararnt", known), Some("warrant"));
        assert_eq!(nearest("burglary", known), None);
        assert_eq!(nearest("dec17", ["nov17-mersey"]), None);
        assert_eq!(
            nearest("nov17-mersy", ["nov17-mersey", "nov17-ches"]),
            Some("nov17-mersey")
        );
        assert_eq!(hint(None, "opweek op list"), "(see `opweek op list`)");
    }
}
