// Hand-written test infrastructure (not generated): a fuzz test of the query parser.
//! 2,000 generated query conditions (four properties of 500 cases each, with `proptest`):
//! random token soup, deep nesting of parentheses and `NOT` around the limit, long `AND`/`OR`
//! chains around the length limit, and arbitrary Unicode text. Each is parsed, matched
//! against a few twins, cloned and dropped on a thread with a 256 KiB stack, so a parser that
//! recursed with its input would overflow it (and abort this test binary). Nothing may panic;
//! a refused condition says where, within the text; chains of known truth values match as
//! the boolean operators say.

use iothub_emulator::query::{Condition, MAX_CONDITION_BYTES, MAX_NESTING};
use proptest::prelude::*;
use serde_json::{Value, json};

/// The stack the parser runs on: a quarter of what Rust gives a thread by default.
const STACK: usize = 256 * 1024;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 500,
        // Never write regression files into the repository.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn twins() -> Vec<Value> {
    vec![
        json!({"deviceId": "dev-1", "tags": {"building": "43", "floor": 2}, "properties": {"desired": {}, "reported": {"fw": "1.2", "ok": true}}, "status": "enabled", "version": 3}),
        json!({"deviceId": "名前", "tags": {}, "properties": {"desired": {"x": null}, "reported": {}}}),
        json!({}),
    ]
}

/// What parsing and matching `text` gave.
#[derive(Debug)]
enum Outcome {
    Parsed(Vec<bool>),
    Refused { message: String, position: usize },
}

/// Parses `text`, matches it against [`twins`], clones it and drops both, on a small stack.
fn run(text: String) -> Outcome {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || match Condition::parse(&text) {
            Ok(condition) => {
                let copy = condition.clone();
                assert_eq!(copy, condition);
                let matched = twins().iter().map(|t| condition.matches(t)).collect();
                // Parsing is deterministic.
                assert_eq!(Condition::parse(&text).ok(), Some(copy));
                Outcome::Parsed(matched)
            }
            Err(error) => Outcome::Refused {
                message: error.message,
                position: error.position,
            },
        })
        .expect("spawn a thread")
        .join()
        .unwrap_or_else(|_| panic!("the parser panicked"))
}

/// Checks what every outcome must satisfy; returns it.
fn check(text: &str) -> Result<Outcome, TestCaseError> {
    let outcome = run(text.to_owned());
    if let Outcome::Refused { message, position } = &outcome {
        prop_assert!(*position <= text.len(), "{position} > {}", text.len());
        prop_assert!(!message.is_empty());
        prop_assert!(!message.chars().any(char::is_control), "{message:?}");
        prop_assert!(message.len() < 400, "{} characters", message.len());
    }
    Ok(outcome)
}

/// Pieces of conditions, valid and not: keywords in any case, paths, operators, literals,
/// quotes and brackets that may not close, Unicode and control characters.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "(",
        ")",
        "(",
        ")",
        "[",
        "]",
        ",",
        ".",
        "*",
        "=",
        "!=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "!",
        "~",
        "AND",
        "and",
        "Or",
        "OR",
        "NOT",
        "nOt",
        "IN",
        "in",
        "deviceId",
        "tags",
        "building",
        "tags.building",
        "properties.reported.fw",
        "$version",
        "_x",
        "a-b",
        "'43'",
        "'it''s'",
        "'",
        "\"",
        "\"x\"",
        "'unterminated",
        "''",
        "1",
        "-2.5",
        "1e308",
        "1e999",
        "-",
        ".5",
        "--",
        "1.2.3",
        "true",
        "FALSE",
        "null",
        "é",
        "名前",
        "🙂",
        "\u{0}",
        "\u{7}",
        "\u{1b}",
        "\u{202e}",
        "\u{feff}",
        "SELECT",
        "FROM",
        "devices",
        "WHERE",
        " ",
        "\t",
        "\n",
    ])
}

/// A comparison that holds for the first twin, or one that does not.
fn term(truth: bool) -> &'static str {
    if truth {
        "deviceId = 'dev-1'"
    } else {
        "deviceId = 'x'"
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn token_soup(pieces in prop::collection::vec((fragment(), prop::sample::select(vec!["", " ", "  "])), 0..120)) {
        let text: String = pieces.iter().flat_map(|(piece, gap)| [*piece, *gap]).collect();
        check(&text)?;
    }

    #[test]
    fn deep_nesting(
        opener in prop::sample::select(vec!["(", "NOT ", "NOT (", "( NOT ", "(("]),
        opened in 0usize..400,
        closed in 0usize..400,
        core in prop::sample::select(vec!["deviceId = 'dev-1'", "tags.floor >= 2", "x IN [1, 'a', null]", "", "AND", ")"]),
    ) {
        let text = format!("{}{core}{}", opener.repeat(opened), ")".repeat(closed));
        let outcome = check(&text)?;
        // Balanced and within the limit, it parses; deeper than the limit, it does not.
        let levels = opener.matches('(').count() + opener.matches("NOT").count();
        let parens = opener.matches('(').count() * opened;
        let simple = core.contains('=') || core.contains("IN");
        if simple && parens == closed {
            let expected_ok = levels * opened <= MAX_NESTING;
            prop_assert_eq!(matches!(outcome, Outcome::Parsed(_)), expected_ok, "{:?}", outcome);
        }
    }

    #[test]
    fn long_chains(
        terms in prop::collection::vec((any::<bool>(), any::<bool>(), any::<bool>()), 1..2500),
        wrapped in 0usize..80,
    ) {
        // (truth, negated, joined to the previous term by AND rather than OR)
        let mut text = "(".repeat(wrapped);
        for (i, (truth, negated, and)) in terms.iter().enumerate() {
            if i > 0 {
                text.push_str(if *and { " AND " } else { " OR " });
            }
            if *negated {
                text.push_str("NOT ");
            }
            text.push_str(term(*truth));
        }
        text.push_str(&")".repeat(wrapped));
        // The reference: an OR of runs of ANDs (NOT binds tightest, then AND, then OR).
        let mut any_group = false;
        let mut group = true;
        for (i, (truth, negated, and)) in terms.iter().enumerate() {
            if i > 0 && !and {
                any_group |= group;
                group = true;
            }
            group &= truth != negated;
        }
        any_group |= group;
        // Each NOT opens one more level around its comparison, inside the parentheses.
        let nesting = wrapped + usize::from(terms.iter().any(|t| t.1));
        let fits = text.len() <= MAX_CONDITION_BYTES && nesting <= MAX_NESTING;
        match check(&text)? {
            Outcome::Parsed(matched) => {
                prop_assert!(fits, "{} bytes, nesting {}", text.len(), nesting);
                prop_assert_eq!(matched[0], any_group);
            }
            Outcome::Refused { message, .. } => {
                prop_assert!(!fits, "refused: {}", message);
            }
        }
    }

    #[test]
    fn arbitrary_text(text in any::<String>(), repeat in 1usize..40) {
        // Random Unicode, and the same repeated (up to tens of kilobytes).
        check(&text)?;
        check(&text.repeat(repeat * 40))?;
    }
}

#[test]
fn the_largest_accepted_conditions_parse_on_a_small_stack() {
    // The deepest nesting, and the longest chain, that are accepted.
    let deepest = format!(
        "{}deviceId = 'dev-1'{}",
        "NOT (".repeat(MAX_NESTING / 2),
        ")".repeat(MAX_NESTING / 2)
    );
    assert!(matches!(run(deepest), Outcome::Parsed(m) if m[0]));
    let terms = MAX_CONDITION_BYTES / "deviceId = 'x' OR ".len() - 1;
    let longest = vec![term(false); terms].join(" OR ") + " OR " + term(true);
    assert!(longest.len() <= MAX_CONDITION_BYTES);
    assert!(matches!(run(longest), Outcome::Parsed(m) if m[0]));
    // And just beyond, a refusal, not a crash.
    let too_deep = format!("{}deviceId = 'dev-1'", "NOT ".repeat(MAX_NESTING + 1));
    assert!(matches!(run(too_deep), Outcome::Refused { .. }));
    assert!(matches!(
        run("(".repeat(2_000_000)),
        Outcome::Refused { .. }
    ));
}
