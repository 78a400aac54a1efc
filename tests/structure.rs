//! The code's shape, checked: no two modules of `src/` depend on each other
//! (directly or round a longer loop), so data flows one way; and `unsafe`
//! lives in one file at most. A module's `#[cfg(test)]` part does not count
//! (tests may reach anywhere). A child using its parent's items (`super::`)
//! is the ordinary Rust layout, not a loop.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`store::events`) → the file's code before its tests.
pub(crate) fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(root).expect("under src");
                let mut parts: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                // `main.rs` is the binary: it reaches the library as
                // `opweek::`, never `crate::`, so it has no place here (and
                // would otherwise hide `lib.rs`, the library's root).
                if parts == ["main"] {
                    continue;
                }
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                let code = std::fs::read_to_string(&path).expect("read module");
                let code = code.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.insert(parts.join("::"), code);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// The paths a module's code names: `crate::a::b`, `super::c`, and the
/// first names inside `crate::{x, y::z}`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            rest = &rest[at..];
            let ident = |c: char| c.is_alphanumeric() || c == '_';
            if before.is_some_and(|c| ident(c) || c == ':') {
                rest = &rest[start.len()..];
                continue;
            }
            let head = start.trim_end_matches(':').to_string();
            let mut path = vec![head];
            let mut tail = &rest[start.len()..];
            // `super::super::x`
            loop {
                let name: String = tail.chars().take_while(|&c| ident(c)).collect();
                if name.is_empty() {
                    break;
                }
                tail = &tail[name.len()..];
                path.push(name);
                match tail.strip_prefix("::") {
                    Some(t) => tail = t,
                    None => break,
                }
            }
            if let Some(group) = tail.strip_prefix('{') {
                let inner: String = group.chars().take_while(|&c| c != '}').collect();
                for item in inner.split(',') {
                    let first: String = item.trim().chars().take_while(|&c| ident(c)).collect();
                    if !first.is_empty() {
                        let mut p = path.clone();
                        p.push(first);
                        found.push(p);
                    }
                }
            } else {
                found.push(path);
            }
            let consumed = rest.len() - tail.len();
            rest = &rest[consumed.max(start.len())..];
        }
    }
    found
}

/// The module a path names, seen from module `from`: the longest prefix
/// that is a module.
fn target(from: &str, path: &[String], mods: &BTreeMap<String, String>) -> Option<String> {
    let mut base: Vec<&str> = if from.is_empty() {
        vec![]
    } else {
        from.split("::").collect()
    };
    let mut segs = path;
    match segs.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            segs = &segs[1..];
        }
        Some("self") => segs = &segs[1..],
        Some("super") => {
            while segs.first().map(String::as_str) == Some("super") {
                base.pop();
                segs = &segs[1..];
            }
        }
        _ => return None,
    }
    (0..=segs.len()).rev().find_map(|i| {
        let mut parts: Vec<&str> = base.clone();
        parts.extend(segs[..i].iter().map(String::as_str));
        let name = parts.join("::");
        mods.contains_key(&name).then_some(name)
    })
}

pub(crate) fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, code) in &mods {
        let deps = g.entry(m.clone()).or_default();
        for p in paths(code) {
            if let Some(t) = target(m, &p, &mods) {
                let ancestor = t.is_empty() || m.starts_with(&format!("{t}::"));
                if t != *m && !ancestor {
                    deps.insert(t);
                }
            }
        }
    }
    g
}

/// Strongly connected groups of more than one module (Tarjan).
fn loops(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        let g = s.g;
        for w in g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.stack.contains(&w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            while let Some(w) = s.stack.pop() {
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.found.push(group);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_two_modules_depend_on_each_other() {
    let g = graph();
    assert!(g.contains_key("store::events") && g.contains_key("cli"));
    assert!(
        g["cli"].contains("commands"),
        "the scan must see cli's use of commands: {:?}",
        g["cli"]
    );
    assert_eq!(loops(&g), Vec::<Vec<String>>::new(), "modules in a loop");
}

#[test]
fn the_loop_finder_finds_loops() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut edge = |a: &str, b: &str| {
        g.entry(a.into()).or_default().insert(b.into());
        g.entry(b.into()).or_default();
    };
    edge("a", "b");
    edge("b", "c");
    edge("c", "a");
    edge("c", "d");
    assert_eq!(loops(&g), vec![vec!["a", "b", "c"]]);
    let p =
        paths("use crate::{model::Event, fields};\nuse super::super::x::Y; let a = my_crate::z;");
    assert!(p.contains(&vec!["crate".into(), "model".into()]));
    assert!(p.contains(&vec!["crate".into(), "fields".into()]));
    assert!(p.contains(&vec![
        "super".into(),
        "super".into(),
        "x".into(),
        "Y".into()
    ]));
    assert_eq!(p.len(), 3, "{p:?}");
}

#[test]
fn unsafe_code_lives_in_one_file_at_most() {
    let with_unsafe: Vec<String> = modules()
        .into_iter()
        .filter(|(_, code)| {
            code.contains("unsafe {") || code.contains("unsafe fn") || code.contains("unsafe impl")
        })
        .map(|(m, _)| m)
        .collect();
    assert!(with_unsafe.len() <= 1, "unsafe code in {with_unsafe:?}");
}
