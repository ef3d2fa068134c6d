//! The request reader (`src/engine/protocol/scan.rs` and `read.rs`) against
//! the serde_json reader it replaced (`request_reader/serde_reference.rs`):
//! on generated requests, valid and not, and on the same requests mutated
//! byte by byte, both must accept the same texts and read them to the same
//! request, and refuse the same texts. A difference either way is a
//! request the engine would read otherwise than before: a compose seen
//! differently, or a refusal that used to be an answer.

// proptest is a native dev-dependency; the readers are the same in the WASM.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "request_reader/serde_reference.rs"]
mod serde_reference;

use bcc_guard::engine::compose::Compose;
use bcc_guard::engine::protocol::Request;
use proptest::prelude::*;

/// Both readers agree on `json`: the same request, or both refuse it.
fn agree(json: &[u8]) -> Result<(), TestCaseError> {
    let new = Request::from_json(json).map(|r| format!("{r:?}"));
    let old = serde_reference::request(json).map(|r| format!("{r:?}"));
    match (&new, &old) {
        (Ok(new), Ok(old)) => prop_assert_eq!(new, old, "{}", String::from_utf8_lossy(json)),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "the readers disagree on {:?}:\n new: {:?}\n old: {:?}",
            String::from_utf8_lossy(json),
            new,
            old.map_err(|e| e.to_string())
        ),
    }
    let new = Compose::from_json(json).map(|c| format!("{c:?}"));
    let old = serde_reference::compose(json).map(|c| format!("{c:?}"));
    prop_assert_eq!(
        new.is_ok(),
        old.is_ok(),
        "as a compose: {:?}",
        String::from_utf8_lossy(json)
    );
    if let (Ok(new), Ok(old)) = (new, old) {
        prop_assert_eq!(new, old);
    }
    Ok(())
}

fn whitespace() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just(""), 2 => Just(" "), 1 => Just("\n\t"), 1 => Just("\r ")]
}

/// A JSON string literal, and now and then something that looks like one.
fn string() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        8 => "[a-zA-Z0-9@.<> ,;]{1,12}".prop_map(|s| s),
        2 => Just("長い名前".to_owned()),
        1 => Just("é😀".to_owned()),
        1 => Just(r"\n".to_owned()),
        1 => Just(r#"\""#.to_owned()),
        1 => Just(r"\\\/\b\f\r\t".to_owned()),
        1 => Just(r"\u0040".to_owned()),
        1 => Just(r"\u00E9\u00e9".to_owned()),
        1 => Just(r"\ud83d\ude00".to_owned()),
        1 => Just(r"\uD800".to_owned()),
        1 => Just(r"\udc00".to_owned()),
        1 => Just(r"\ud800\u0041".to_owned()),
        1 => Just(r"\ud800\ud800".to_owned()),
        1 => Just(r"\ud800\n".to_owned()),
        1 => Just(r"\x".to_owned()),
        1 => Just(r"\u12g4".to_owned()),
        1 => Just("\u{1}".to_owned()),
        1 => Just("\t".to_owned()),
        1 => Just("\u{7f}".to_owned()),
    ];
    prop::collection::vec(part, 0..4).prop_map(|parts| format!("\"{}\"", parts.concat()))
}

/// A number as JSON text, valid or not.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("1".to_owned()),
        1 => Just("0".to_owned()),
        1 => Just("-0".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("01".to_owned()),
        1 => Just("1.0".to_owned()),
        1 => Just("1.".to_owned()),
        1 => Just("1e0".to_owned()),
        1 => Just("1E+2".to_owned()),
        1 => Just("2e-".to_owned()),
        1 => Just("1e400".to_owned()),
        1 => Just("4294967295".to_owned()),
        1 => Just("4294967296".to_owned()),
        1 => Just("18446744073709551615".to_owned()),
        1 => Just("18446744073709551616".to_owned()),
        1 => Just("-9223372036854775809".to_owned()),
        1 => Just("-".to_owned()),
        1 => Just("+1".to_owned()),
        1 => Just(".5".to_owned()),
        1 => (0u64..100_000).prop_map(|n| n.to_string()),
    ]
}

/// Any JSON value (and some that are not quite JSON), for members the
/// request does not use and for `settings`.
fn any_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("nul".to_owned()),
        number(),
        string(),
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            (
                prop::collection::vec((whitespace(), inner.clone()), 0..5),
                any::<bool>()
            )
                .prop_map(|(items, trailing)| {
                    let items: Vec<String> =
                        items.into_iter().map(|(w, v)| format!("{w}{v}")).collect();
                    format!("[{}{}]", items.join(","), if trailing { "," } else { "" })
                }),
            prop::collection::vec((string(), whitespace(), inner), 0..5).prop_map(|members| {
                let members: Vec<String> = members
                    .into_iter()
                    .map(|(k, w, v)| format!("{k}{w}:{v}"))
                    .collect();
                format!("{{{}}}", members.join(","))
            }),
        ]
    })
}

/// An object of `members` (key text, value text), with whitespace.
fn object(members: Vec<(String, String, &'static str)>) -> String {
    let members: Vec<String> = members
        .into_iter()
        .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}{w}"))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A key: one the reader knows (sometimes written with an escape), or not.
fn key(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(known).prop_map(|k| format!("\"{k}\"")),
        1 => prop::sample::select(known).prop_map(|k| format!("\"\\u{:04x}{}\"", k.as_bytes()[0], &k[1..])),
        1 => Just("\"extra\"".to_owned()),
        1 => string(),
    ]
}

fn optional_text() -> impl Strategy<Value = String> {
    prop_oneof![8 => string(), 2 => Just("null".to_owned()), 1 => any_value()]
}

fn entry() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(
            (key(&["name", "address", "text"]), optional_text(), whitespace()),
            0..4
        )
        .prop_map(object),
        1 => any_value(),
    ]
}

fn entries() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (prop::collection::vec(entry(), 0..5), whitespace())
            .prop_map(|(entries, w)| format!("[{w}{}{w}]", entries.join(","))),
        4 => columns(),
        1 => Just("null".to_owned()),
        1 => any_value(),
    ]
}

/// A field as columns: mostly each of the three at most once and equally
/// long; now and then a column of another length, `null` or another value,
/// a column twice or a member that is not a column; cells that are strings,
/// nulls or something else.
fn columns() -> impl Strategy<Value = String> {
    let cell = || prop_oneof![8 => string(), 4 => Just("null".to_owned()), 1 => any_value()];
    let column = move |length: usize| {
        prop_oneof![
            8 => (prop::collection::vec(cell(), length..=length), whitespace())
                .prop_map(|(cells, w)| format!("[{w}{}{w}]", cells.join(","))),
            3 => (prop::collection::vec(cell(), 0..4), whitespace())
                .prop_map(|(cells, w)| format!("[{w}{}{w}]", cells.join(","))),
            1 => Just("null".to_owned()),
            1 => any_value(),
        ]
    };
    let odd_member = prop_oneof![
        12 => Just(None),
        1 => (key(&["name", "address", "text"]), any_value()).prop_map(Some),
    ];
    (0usize..4)
        .prop_flat_map(move |length| {
            (
                prop::collection::vec((any::<bool>(), column(length), whitespace()), 3..=3),
                odd_member.clone(),
                any::<bool>(),
            )
        })
        .prop_map(|(columns, odd, odd_first)| {
            let mut members: Vec<(String, String, &'static str)> = ["name", "address", "text"]
                .into_iter()
                .zip(columns)
                .filter(|(_, (given, _, _))| *given)
                .map(|(key, (_, column, w))| (format!("\"{key}\""), column, w))
                .collect();
            if let Some((key, value)) = odd {
                let at = if odd_first { 0 } else { members.len() };
                members.insert(at, (key, value, ""));
            }
            object(members)
        })
}

fn compose() -> impl Strategy<Value = String> {
    let member = prop_oneof![
        (key(&["account", "host"]), optional_text()),
        (key(&["to", "cc", "bcc"]), entries()),
        (
            key(&["complete"]),
            prop_oneof![
                Just("true".to_owned()),
                Just("false".to_owned()),
                Just("null".to_owned()),
                any_value()
            ]
        ),
        (key(&["extra"]), any_value()),
    ];
    prop_oneof![
        8 => prop::collection::vec((member, whitespace()), 0..6)
            .prop_map(|members| object(members.into_iter().map(|((k, v), w)| (k, v, w)).collect())),
        1 => any_value(),
    ]
}

fn request() -> impl Strategy<Value = String> {
    let member = prop_oneof![
        (
            key(&["v"]),
            prop_oneof![4 => Just("1".to_owned()), 2 => number(), 1 => any_value()]
        ),
        (
            key(&["kind"]),
            prop_oneof![
                4 => prop::sample::select(&["\"evaluate\"", "\"verify\"", "\"policy\"", "\"validate\""][..])
                    .prop_map(str::to_owned),
                1 => optional_text(),
            ]
        ),
        (
            key(&["compose", "original"]),
            prop_oneof![8 => compose(), 1 => Just("null".to_owned())]
        ),
        (key(&["settings"]), any_value()),
        (key(&["extra"]), any_value()),
    ];
    prop_oneof![
        16 => (prop::collection::vec((member, whitespace()), 0..6), whitespace(), whitespace())
            .prop_map(|(members, before, after)| {
                let text = object(members.into_iter().map(|((k, v), w)| (k, v, w)).collect());
                format!("{before}{text}{after}")
            }),
        1 => any_value(),
    ]
}

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let byte =
        prop::sample::select(&b"{}[]\",:\\ \n0123456789-+.eEutrfalsn\x00\x1f\x7f\xc3\xa9\xff"[..]);
    prop_oneof![
        3 => any::<usize>().prop_map(Edit::Delete),
        3 => (any::<usize>(), byte.clone()).prop_map(|(at, b)| Edit::Insert(at, b)),
        3 => (any::<usize>(), byte).prop_map(|(at, b)| Edit::Replace(at, b)),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        match *edit {
            Edit::Delete(at) if len > 0 => {
                bytes.remove(at % len);
            }
            Edit::Insert(at, b) => bytes.insert(at % (len + 1), b),
            Edit::Replace(at, b) if len > 0 => bytes[at % len] = b,
            Edit::Truncate(at) => bytes.truncate(at % (len + 1)),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn generated_requests_read_alike(text in request()) {
        agree(text.as_bytes())?;
    }

    #[test]
    fn mutated_requests_read_alike(text in request(), edits in prop::collection::vec(edit(), 1..4)) {
        agree(&apply(&text, &edits))?;
    }

    #[test]
    fn composes_read_alike(text in compose(), edits in prop::collection::vec(edit(), 0..2)) {
        agree(&apply(&text, &edits))?;
    }
}

/// Entries as Rust values, for writing the same field in both forms.
type Cells = Vec<(Option<String>, Option<String>, Option<String>)>;

fn cells() -> impl Strategy<Value = Cells> {
    let value = || {
        prop_oneof![
            2 => Just(None),
            3 => "[a-zA-Z0-9@.<> ,;\"\\\n長é😀]{0,12}".prop_map(Some),
        ]
    };
    prop::collection::vec((value(), value(), value()), 0..6)
}

/// `cells` as a list of entries, members with `None` left out.
fn as_list(cells: &Cells) -> String {
    let entries: Vec<String> = cells
        .iter()
        .map(|(name, address, text)| {
            let members: Vec<String> = [("name", name), ("address", address), ("text", text)]
                .into_iter()
                .filter_map(|(key, value)| {
                    value
                        .as_ref()
                        .map(|v| format!("\"{key}\":{}", serde_json::to_string(v).unwrap()))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        })
        .collect();
    format!("[{}]", entries.join(","))
}

/// `cells` as columns, with `null` for `None`. A column whose cells are all
/// `None` is left out where `drop` says so, but one column always stays:
/// it carries their number (and columns without any are refused).
fn as_columns(cells: &Cells, drop: [bool; 3]) -> String {
    let columns: [Vec<&Option<String>>; 3] = [
        cells.iter().map(|c| &c.0).collect(),
        cells.iter().map(|c| &c.1).collect(),
        cells.iter().map(|c| &c.2).collect(),
    ];
    let mut keep = [0, 1, 2].map(|at| !drop[at] || columns[at].iter().any(|v| v.is_some()));
    if !keep.contains(&true) {
        keep[1] = true;
    }
    let members: Vec<String> = ["name", "address", "text"]
        .into_iter()
        .enumerate()
        .filter(|&(at, _)| keep[at])
        .map(|(at, key)| {
            let values: Vec<String> = columns[at]
                .iter()
                .map(|v| serde_json::to_string(v).unwrap())
                .collect();
            format!("\"{key}\":[{}]", values.join(","))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// The same entries as a list and as columns are the same compose.
    #[test]
    fn columns_read_as_the_list_does(to in cells(), bcc in cells(), drop in any::<[bool; 3]>()) {
        let list = format!(r#"{{"to":{},"bcc":{}}}"#, as_list(&to), as_list(&bcc));
        let columns = format!(r#"{{"to":{},"bcc":{}}}"#, as_columns(&to, drop), as_columns(&bcc, drop));
        let list = Compose::from_json(list.as_bytes()).unwrap();
        let columns = Compose::from_json(columns.as_bytes()).unwrap();
        prop_assert_eq!(format!("{list:?}"), format!("{columns:?}"));
    }
}

/// What the column form refuses, asserted here and not only compared with
/// the reference (which was taught the same rules): columns of different
/// lengths (an entry would be made up or lost); a column that is `null`, not
/// a list, given twice, or with a cell that is neither text nor `null`; and
/// any object that is not columns (an empty one, unknown members, an
/// array-like `{"0": …}`), which must never read as a field without
/// recipients.
#[test]
fn what_the_column_form_refuses() {
    for json in [
        r#"{"to":{"name":["A"],"address":[]}}"#,
        r#"{"to":{"name":[],"text":[null]}}"#,
        r#"{"to":{"address":null}}"#,
        r#"{"to":{"address":"a@x.example"}}"#,
        r#"{"to":{"address":[1]}}"#,
        r#"{"to":{"address":[["a@x.example"]]}}"#,
        r#"{"to":{"address":["a@x.example"],"address":["b@y.example"]}}"#,
        r#"{"to":{}}"#,
        r#"{"to":{"email":["a@x.example"]}}"#,
        r#"{"to":{"address":["a@x.example"],"extra":1}}"#,
        r#"{"to":{"0":{"address":"a@x.example"},"length":1}}"#,
        r#"{"to":[],"cc":{}}"#,
    ] {
        assert!(Compose::from_json(json.as_bytes()).is_err(), "{json}");
        agree(json.as_bytes()).unwrap();
    }
    let error =
        Request::from_json(br#"{"compose":{"to":{"name":["A"],"address":[]}}}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the columns of a field differ in length at line 1 column 18"
    );
    let error = Request::from_json(br#"{"compose":{"to":{}}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("expected at least one column"),
        "{error}"
    );
}

/// The generated requests are mostly readable ones, so that the test
/// compares what was read and not only that both refuse.
#[test]
fn most_generated_requests_are_readable() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = request();
    let readable = (0..1_000)
        .filter(|_| {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            Request::from_json(text.as_bytes()).is_ok()
        })
        .count();
    assert!(
        readable > 200,
        "only {readable} of 1,000 generated requests are readable"
    );
}

/// The cases a generator reaches rarely or not at all: depth limits, the
/// edges of numbers and of surrogates, and the shapes of the request's text.
#[test]
fn edge_cases_read_alike() {
    let nested =
        |depth: usize, inner: &str| format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth));
    let mut cases: Vec<String> = Vec::new();
    for depth in [1, 125, 126, 127, 128, 129, 300] {
        cases.push(format!(
            r#"{{"v":1,"kind":"validate","settings":{}}}"#,
            nested(depth, "")
        ));
        cases.push(format!(
            r#"{{"v":1,"kind":"validate","settings":{{"a":{}}}}}"#,
            nested(depth - 1, "1")
        ));
        cases.push(format!(r#"{{"v":1,"extra":{}}}"#, nested(depth, "")));
        cases.push(format!(
            r#"{{"v":1,"compose":{{"to":[{{"x":{}}}]}}}}"#,
            nested(depth, "{}")
        ));
    }
    // Values the request does not use are skipped at any depth, without
    // recursion.
    cases.push(format!(r#"{{"v":1,"extra":{}}}"#, nested(100_000, "")));
    cases.push(format!(
        r#"{{"v":1,"extra":{}}}"#,
        nested(100_000, "").replace("]]", "],]")
    ));
    for text in [
        "",
        " ",
        "{}",
        " {} ",
        "{} {}",
        "{},",
        "\u{feff}{}",
        r#"{"v":1,}"#,
        r#"{"v":1 "kind":"policy"}"#,
        r#"{"v"1}"#,
        r#"{v:1}"#,
        r#"{"v":1,"v":2}"#,
        r#"{"v":"1","v":1}"#,
        r#"{"v":1,"kind":"evaluate","compose":{"to":[]},"compose":null}"#,
        r#"{"compose":{"to":[{"name":"A","name":null}]}}"#,
        r#"{"compose":{"to":[{"text":"a@x.example"},]}}"#,
        r#"{"compose":{"to":[,]}}"#,
        r#"{"compose":{"complete":tru}}"#,
        r#"{"compose":{"complete":truex}}"#,
        r#"{"compose":{"complete":true}x}"#,
        r#"{"kind":"\ud800"}"#,
        r#"{"extra":"\ud800"}"#,
        r#"{"\ud800":1}"#,
        r#"{"extra":{"\ud800":1}}"#,
        r#"{"kind":"\u00"}"#,
        r#"{"kind":"\u"#,
        r#"{"kind":"abc"#,
        r#"{"kind":"a\"#,
        r#"{"settings":"\ud800"}"#,
        r#"{"settings":1e400}"#,
        r#"{"extra":1e400}"#,
        r#"{"settings":{"a":1,"a":[2]}}"#,
        r#"{"settings":null}"#,
        r#"{"settings":-0.0}"#,
        r#"{"v":-0}"#,
        r#"{"v":0}"#,
        r#"{"v":00}"#,
        r#"{"v":4294967295}"#,
        r#"{"v":4294967296}"#,
        r#"{"v":18446744073709551616}"#,
        r#"{"v":1e0}"#,
        r#"{"v":null}"#,
        r#"{"kind":null}"#,
        r#"{"compose":{"account":null,"host":null,"to":[{"name":null,"address":null,"text":null}]}}"#,
        "{\"kind\":\"a\u{1}\"}",
        "{\"kind\":\"a\u{7f}\"}",
        "{\"kind\"\u{0b}:1}",
        "{\"kind\":\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"}",
        r#"{"kind":"\uDBFF\uDFFF\u0000"}"#,
    ] {
        cases.push(text.to_owned());
    }
    for case in &cases {
        agree(case.as_bytes()).unwrap();
    }
    for bytes in [
        &b"{\"kind\":\"\xff\"}"[..],
        b"{\"kind\":\"\xc3\"}",
        b"\xef\xbb\xbf{}",
    ] {
        agree(bytes).unwrap();
    }
}
