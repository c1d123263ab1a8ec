//! Hand-written test infrastructure: the subset of the IoT Hub query language that job
//! `queryCondition`s use.
//!
//! ```text
//! condition  := "*" | or
//! or         := and ("OR" and)*
//! and        := not ("AND" not)*
//! not        := "NOT" not | primary
//! primary    := "(" or ")" | path op literal | path "IN" "[" literal ("," literal)* "]"
//! op         := "=" | "!=" | "<>" | "<" | "<=" | ">" | ">="
//! path       := name ("." name)*          e.g. deviceId, tags.building, properties.reported.fw
//! literal    := 'text' ('' escapes a quote) | number | true | false | null
//! ```
//!
//! Keywords are case-insensitive. A path that the twin does not have compares false with
//! everything (`NOT` of such a comparison is true). Strings compare with strings, numbers
//! with numbers; comparing different kinds is false.
//!
//! Limits (the emulator's own: IoT Hub publishes none for job conditions): a condition is at
//! most [`MAX_CONDITION_BYTES`] long, and parentheses and `NOT`s nest at most [`MAX_NESTING`]
//! deep; anything beyond is a [`QueryError`]. `AND` and `OR` chains are kept flat (one node
//! with every term, however long the chain), matching walks the condition with a stack of its
//! own, parsing is precedence parsing with stacks of its own, and dropping a condition takes
//! it apart iteratively: none of them recurses, so none depends on the thread's stack.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

use crate::errors::echo;

/// The longest condition the emulator parses, in bytes of UTF-8 (32 KiB: room for an `IN`
/// list of about a thousand device ids).
pub const MAX_CONDITION_BYTES: usize = 32 * 1024;

/// How deep parentheses and `NOT`s may nest: `NOT (a = 1)` is two levels.
pub const MAX_NESTING: usize = 64;

/// A parsed query condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition(Expr);

/// A condition that does not parse: what is wrong and at which character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong.
    pub message: String,
    /// The character offset in the condition.
    pub position: usize,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid query condition at character {}: {}",
            self.position, self.message
        )
    }
}

impl std::error::Error for QueryError {}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    All,
    /// Two or more terms, none of them an `Or` itself.
    Or(Vec<Expr>),
    /// Two or more terms, none of them an `And` itself.
    And(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Vec<String>, Op, Literal),
    In(Vec<String>, Vec<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Star,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Op(Op),
    Word(String),
    Text(String),
    Number(f64),
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let error = |position: usize, message: String| QueryError { message, position };
    while let Some(&(pos, c)) = chars.get(i) {
        let next = chars.get(i + 1).map(|&(_, c)| c);
        let (token, width) = match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '*' => (Token::Star, 1),
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            '[' => (Token::LBracket, 1),
            ']' => (Token::RBracket, 1),
            ',' => (Token::Comma, 1),
            '.' if !next.is_some_and(|n| n.is_ascii_digit()) => (Token::Dot, 1),
            '=' => (Token::Op(Op::Eq), 1),
            '!' if next == Some('=') => (Token::Op(Op::Ne), 2),
            '<' if next == Some('>') => (Token::Op(Op::Ne), 2),
            '<' if next == Some('=') => (Token::Op(Op::Le), 2),
            '<' => (Token::Op(Op::Lt), 1),
            '>' if next == Some('=') => (Token::Op(Op::Ge), 2),
            '>' => (Token::Op(Op::Gt), 1),
            '\'' | '"' => {
                let quote = c;
                let mut value = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => return Err(error(pos, "unterminated string".to_owned())),
                        Some(&(_, ch)) if ch == quote => {
                            if chars.get(j + 1).map(|&(_, c)| c) == Some(quote) {
                                value.push(quote);
                                j += 2;
                            } else {
                                break;
                            }
                        }
                        Some(&(_, ch)) => {
                            value.push(ch);
                            j += 1;
                        }
                    }
                }
                (Token::Text(value), j + 1 - i)
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                let mut j = i;
                while chars.get(j).is_some_and(|&(_, c)| {
                    c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E')
                }) {
                    j += 1;
                }
                let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
                let literal = text.get(pos..end).unwrap_or_default();
                let number = literal
                    .parse::<f64>()
                    .map_err(|_| error(pos, format!("`{}` is not a number", echo(literal))))?;
                (Token::Number(number), j - i)
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let mut j = i;
                while chars
                    .get(j)
                    .is_some_and(|&(_, c)| c.is_alphanumeric() || matches!(c, '_' | '$' | '-'))
                {
                    j += 1;
                }
                let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
                (
                    Token::Word(text.get(pos..end).unwrap_or_default().to_owned()),
                    j - i,
                )
            }
            other => {
                return Err(error(
                    pos,
                    format!("unexpected character `{}`", other.escape_debug()),
                ));
            }
        };
        tokens.push((pos, token));
        i += width;
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    end: usize,
}

/// An operator waiting for its operands while a condition is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// A `NOT`: applies to the next complete operand.
    Not,
    /// A `(` at this position.
    Open(usize),
    And,
    Or,
}

impl Pending {
    /// The precedence of a binary operator (AND binds tighter than OR).
    fn binary_precedence(self) -> Option<u8> {
        match self {
            Self::And => Some(2),
            Self::Or => Some(1),
            Self::Not | Self::Open(_) => None,
        }
    }
}

/// Adds `term` to the terms of an `AND` (`and == true`) or `OR`, taking the terms of a term
/// of the same kind instead of nesting it (`(a OR b) OR c` is one `OR` of three terms).
fn push_term(terms: &mut Vec<Expr>, term: Expr, and: bool) {
    match term {
        Expr::And(inner) if and => terms.extend(inner),
        Expr::Or(inner) if !and => terms.extend(inner),
        other => terms.push(other),
    }
}

/// `left AND right` or `left OR right`, flat.
fn combine(and: bool, left: Expr, right: Expr) -> Expr {
    let mut terms = match left {
        Expr::And(terms) if and => terms,
        Expr::Or(terms) if !and => terms,
        other => vec![other],
    };
    push_term(&mut terms, right, and);
    if and {
        Expr::And(terms)
    } else {
        Expr::Or(terms)
    }
}

/// The operands and operators of a condition being parsed: precedence parsing with stacks
/// of its own, so that parsing uses the same thread stack however deep the condition nests.
#[derive(Default)]
struct Stacks {
    operands: Vec<Expr>,
    pending: Vec<Pending>,
    /// How many `(` and `NOT` are open.
    depth: usize,
}

impl Stacks {
    /// Opens a `(` or a `NOT` at `position`, unless that nests too deep.
    fn open(&mut self, op: Pending, position: usize) -> Result<(), QueryError> {
        if self.depth >= MAX_NESTING {
            return Err(QueryError {
                message: format!(
                    "parentheses and NOT nest more than {MAX_NESTING} levels deep here; the emulator accepts at most {MAX_NESTING}"
                ),
                position,
            });
        }
        self.depth += 1;
        self.pending.push(op);
        Ok(())
    }

    /// Pushes a complete operand and applies the `NOT`s waiting for it.
    fn operand(&mut self, mut expr: Expr) {
        while self.pending.last() == Some(&Pending::Not) {
            self.pending.pop();
            self.depth -= 1;
            expr = Expr::Not(Box::new(expr));
        }
        self.operands.push(expr);
    }

    /// Applies the binary operators on top that bind at least as tightly as `precedence`.
    fn reduce(&mut self, precedence: u8) {
        while let Some(top) = self.pending.last().copied() {
            match top.binary_precedence() {
                Some(p) if p >= precedence => {
                    self.pending.pop();
                    let right = self.operands.pop();
                    let left = self.operands.pop();
                    if let (Some(left), Some(right)) = (left, right) {
                        self.operands
                            .push(combine(top == Pending::And, left, right));
                    }
                }
                _ => return,
            }
        }
    }

    /// Whether a `(` is open.
    fn in_parentheses(&self) -> bool {
        self.pending.iter().any(|op| matches!(op, Pending::Open(_)))
    }

    /// Closes the innermost `(`: its content becomes one operand.
    fn close(&mut self) {
        self.reduce(0);
        if let Some(Pending::Open(_)) = self.pending.last() {
            self.pending.pop();
            self.depth -= 1;
        }
        if let Some(inner) = self.operands.pop() {
            self.operand(inner);
        }
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(p, _)| *p)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, QueryError> {
        Err(QueryError {
            message: message.into(),
            position: self.position(),
        })
    }

    fn keyword(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn expect(&mut self, token: &Token, what: &str) -> Result<(), QueryError> {
        if self.peek() == Some(token) {
            self.at += 1;
            Ok(())
        } else {
            self.error(format!("expected {what}"))
        }
    }

    /// The whole condition (`or` in the grammar), without recursion.
    fn condition(&mut self) -> Result<Expr, QueryError> {
        let mut stacks = Stacks::default();
        loop {
            // An operand: `NOT`s and `(`s, then a comparison.
            loop {
                let position = self.position();
                if self.keyword("NOT") {
                    stacks.open(Pending::Not, position)?;
                } else if self.peek() == Some(&Token::LParen) {
                    stacks.open(Pending::Open(position), position)?;
                    self.at += 1;
                } else {
                    break;
                }
            }
            let comparison = self.comparison()?;
            stacks.operand(comparison);
            // Then `)`s, and an operator or the end.
            while self.peek() == Some(&Token::RParen) && stacks.in_parentheses() {
                self.at += 1;
                stacks.close();
            }
            if self.keyword("AND") {
                stacks.reduce(2);
                stacks.pending.push(Pending::And);
            } else if self.keyword("OR") {
                stacks.reduce(1);
                stacks.pending.push(Pending::Or);
            } else if self.peek().is_none() {
                stacks.reduce(0);
                if stacks.in_parentheses() {
                    return self.error("expected `)`");
                }
                return match (stacks.operands.pop(), stacks.operands.is_empty()) {
                    (Some(expr), true) => Ok(expr),
                    _ => self.error("the condition is incomplete"),
                };
            } else {
                return self.error("unexpected text after the condition (missing AND or OR?)");
            }
        }
    }

    /// `path op literal` or `path IN [literal, ...]`.
    fn comparison(&mut self) -> Result<Expr, QueryError> {
        let path = self.path()?;
        if self.keyword("IN") {
            self.expect(&Token::LBracket, "`[` after IN")?;
            let mut values = vec![self.literal()?];
            while self.peek() == Some(&Token::Comma) {
                self.at += 1;
                values.push(self.literal()?);
            }
            self.expect(&Token::RBracket, "`]` or `,`")?;
            return Ok(Expr::In(path, values));
        }
        let op = match self.peek() {
            Some(Token::Op(op)) => *op,
            _ => {
                return self
                    .error("expected a comparison operator (=, !=, <>, <, <=, >, >=) or IN");
            }
        };
        self.at += 1;
        Ok(Expr::Compare(path, op, self.literal()?))
    }

    fn path(&mut self) -> Result<Vec<String>, QueryError> {
        let mut path = Vec::new();
        loop {
            match self.peek() {
                Some(Token::Word(word)) if !is_keyword(word) => {
                    path.push(word.clone());
                    self.at += 1;
                }
                _ => {
                    return self
                        .error("expected a property path such as `deviceId` or `tags.building`");
                }
            }
            if self.peek() == Some(&Token::Dot) {
                self.at += 1;
            } else {
                return Ok(path);
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, QueryError> {
        let literal = match self.peek() {
            Some(Token::Text(text)) => Literal::Text(text.clone()),
            Some(Token::Number(n)) => Literal::Number(*n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
            _ => return self.error("expected a value: 'text', a number, true, false or null"),
        };
        self.at += 1;
        Ok(literal)
    }
}

fn is_keyword(word: &str) -> bool {
    ["AND", "OR", "NOT", "IN"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

impl Condition {
    /// Parses a job's `queryCondition`. A condition longer than [`MAX_CONDITION_BYTES`] or
    /// nesting deeper than [`MAX_NESTING`] is refused.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
        if text.len() > MAX_CONDITION_BYTES {
            return Err(QueryError {
                message: format!(
                    "the condition is {} bytes long; the emulator accepts at most {MAX_CONDITION_BYTES}",
                    text.len()
                ),
                position: MAX_CONDITION_BYTES,
            });
        }
        let tokens = tokenize(text)?;
        if tokens.len() == 1 && tokens.first().map(|(_, t)| t) == Some(&Token::Star) {
            return Ok(Self(Expr::All));
        }
        if tokens.is_empty() {
            return Err(QueryError {
                message: "the condition is empty (use `*` for every device)".to_owned(),
                position: 0,
            });
        }
        let mut parser = Parser {
            tokens,
            at: 0,
            end: text.len(),
        };
        parser.condition().map(Self)
    }

    /// Whether the device twin (as JSON: `deviceId`, `tags`, `properties.desired`,
    /// `properties.reported`, ...) matches.
    pub fn matches(&self, twin: &Value) -> bool {
        eval(&self.0, twin)
    }
}

impl Drop for Condition {
    /// Takes the tree apart with a list of its own, so dropping never recurses.
    fn drop(&mut self) {
        let mut pending = vec![std::mem::replace(&mut self.0, Expr::All)];
        while let Some(expr) = pending.pop() {
            match expr {
                Expr::Or(terms) | Expr::And(terms) => pending.extend(terms),
                Expr::Not(inner) => pending.push(*inner),
                Expr::All | Expr::Compare(..) | Expr::In(..) => {}
            }
        }
    }
}

fn lookup<'a>(twin: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(twin, |value, key| value.get(key))
}

fn compare(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::String(a), Literal::Text(b)) => Some(a.as_str().cmp(b.as_str())),
        (Value::Number(a), Literal::Number(b)) => a.as_f64()?.partial_cmp(b),
        (Value::Bool(a), Literal::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, Literal::Null) => Some(Ordering::Equal),
        _ => None,
    }
}

/// Evaluates `root` with a stack of its own (no recursion), left to right, stopping an
/// `AND` at its first false term and an `OR` at its first true one.
fn eval(root: &Expr, twin: &Value) -> bool {
    // Each entry: a node and how many of its terms have been evaluated.
    let mut stack: Vec<(&Expr, usize)> = vec![(root, 0)];
    // The value of the node finished last.
    let mut last = false;
    while let Some((node, done)) = stack.pop() {
        match node {
            Expr::And(terms) | Expr::Or(terms) => {
                let and = matches!(node, Expr::And(_));
                // A false term decides an AND, a true one an OR: `last` is then the value.
                if done > 0 && last != and {
                    continue;
                }
                match terms.get(done) {
                    Some(term) => {
                        stack.push((node, done + 1));
                        stack.push((term, 0));
                    }
                    // Every term evaluated without deciding: true for AND, false for OR.
                    None => last = and,
                }
            }
            Expr::Not(inner) => {
                if done == 0 {
                    stack.push((node, 1));
                    stack.push((inner, 0));
                } else {
                    last = !last;
                }
            }
            leaf => last = eval_leaf(leaf, twin),
        }
    }
    last
}

fn eval_leaf(expr: &Expr, twin: &Value) -> bool {
    match expr {
        Expr::Compare(path, op, literal) => {
            let Some(value) = lookup(twin, path) else {
                return false;
            };
            let Some(ordering) = compare(value, literal) else {
                // Different kinds are only ever "not equal".
                return *op == Op::Ne && !matches!((value, literal), (_, Literal::Null));
            };
            match op {
                Op::Eq => ordering == Ordering::Equal,
                Op::Ne => ordering != Ordering::Equal,
                Op::Lt => ordering == Ordering::Less,
                Op::Le => ordering != Ordering::Greater,
                Op::Gt => ordering == Ordering::Greater,
                Op::Ge => ordering != Ordering::Less,
            }
        }
        Expr::In(path, values) => lookup(twin, path).is_some_and(|value| {
            values
                .iter()
                .any(|literal| compare(value, literal) == Some(Ordering::Equal))
        }),
        // Not leaves: `eval` handles them.
        Expr::All => true,
        Expr::Or(_) | Expr::And(_) | Expr::Not(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn twin() -> Value {
        json!({
            "deviceId": "dev-1",
            "tags": {"building": "43", "floor": 2, "location": {"region": "us"}},
            "properties": {"desired": {"interval": 30}, "reported": {"fw": "1.2.0", "temp": 21.5, "ok": true}},
            "connectionState": "Connected"
        })
    }

    fn check(condition: &str) -> bool {
        Condition::parse(condition)
            .unwrap_or_else(|e| panic!("{condition}: {e}"))
            .matches(&twin())
    }

    #[test]
    fn examples_from_the_jobs_guide() {
        assert!(check("*"));
        assert!(check("deviceId = 'dev-1'"));
        assert!(!check("deviceId = 'dev-2'"));
        assert!(check("deviceId IN ['dev-0', 'dev-1']"));
        assert!(!check("deviceId IN ['dev-0']"));
        assert!(check("tags.building = '43'"));
    }

    #[test]
    fn comparisons_and_kinds() {
        assert!(check("tags.floor >= 2 AND tags.floor < 3"));
        assert!(check("properties.reported.temp > 20"));
        assert!(check("properties.reported.fw != '1.0.0'"));
        assert!(check("properties.reported.fw <> '1.0.0'"));
        assert!(check("properties.reported.ok = true"));
        assert!(check("tags.location.region = 'us'"));
        assert!(!check("tags.building = 43"), "a string is not a number");
        assert!(!check("tags.missing = 'x'"));
        assert!(check("NOT tags.missing = 'x'"));
        assert!(check("properties.desired.interval <= 30"));
        assert!(check("tags.floor = -2 OR tags.floor = 2.0"));
    }

    #[test]
    fn boolean_structure() {
        assert!(check(
            "(deviceId = 'x' OR tags.building = '43') AND NOT tags.floor = 3"
        ));
        assert!(!check(
            "deviceId = 'x' OR tags.building = '43' AND tags.floor = 3"
        ));
        assert!(check("not (deviceId = 'x') and tags.building = '43'"));
        assert!(!check("tags.building = 'it''s'"));
    }

    #[test]
    fn errors_say_what_and_where() {
        for (condition, position) in [
            ("", 0),
            ("deviceId", 8),
            ("deviceId = ", 11),
            ("deviceId = 'x", 11),
            ("deviceId = 'x' AND", 18),
            ("deviceId IN 'x'", 12),
            ("(deviceId = 'x'", 15),
            ("deviceId = 'x' tags.a = 1", 15),
            ("SELECT * FROM devices", 7),
            ("deviceId ~ 'x'", 9),
        ] {
            let error = Condition::parse(condition).unwrap_err();
            assert_eq!(error.position, position, "{condition}: {error}");
            assert!(!error.message.is_empty());
        }
    }

    /// Runs `f` on a thread with a 256 KiB stack (a quarter of what Rust gives threads by
    /// default and an eighth of the main thread's), so that anything that recursed with
    /// the input's size would overflow it and abort the test binary.
    fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn nesting_is_limited() {
        let nested = |n: usize| format!("{}deviceId = 'dev-1'{}", "(".repeat(n), ")".repeat(n));
        let nots = |n: usize| format!("{}deviceId = 'dev-1'", "NOT ".repeat(n));
        assert!(check(&nested(MAX_NESTING)));
        assert_eq!(check(&nots(MAX_NESTING)), MAX_NESTING % 2 == 0);
        // Mixed: every NOT and every parenthesis counts.
        let mixed =
            "NOT (".repeat(MAX_NESTING / 2) + "deviceId = 'dev-1'" + &")".repeat(MAX_NESTING / 2);
        assert!(check(&mixed));
        for (text, position) in [
            (nested(MAX_NESTING + 1), MAX_NESTING),
            (nots(MAX_NESTING + 1), 4 * MAX_NESTING),
            (
                format!("{} AND {}", nested(3), nested(MAX_NESTING + 5)),
                29 + MAX_NESTING,
            ),
        ] {
            let error = Condition::parse(&text).unwrap_err();
            assert!(error.message.contains("nest"), "{error}");
            assert_eq!(error.position, position, "{error}");
        }
    }

    #[test]
    fn length_is_limited() {
        let chain = |n: usize| vec!["deviceId = 'dev-1'"; n].join(" OR ");
        let fits = chain(MAX_CONDITION_BYTES / 22);
        assert!(fits.len() <= MAX_CONDITION_BYTES);
        assert!(check(&fits));
        let too_long = chain(MAX_CONDITION_BYTES / 22 + 2);
        assert!(too_long.len() > MAX_CONDITION_BYTES);
        let error = Condition::parse(&too_long).unwrap_err();
        assert!(error.message.contains("at most"), "{error}");
        // A huge condition is refused before it is read.
        assert!(Condition::parse(&"(".repeat(2_000_000)).is_err());
    }

    #[test]
    fn chains_are_flat_and_need_no_stack() {
        // The longest chains that fit, parsed, matched and dropped on a small stack: a
        // left-deep tree of this many terms overflowed it.
        let result = on_small_stack(|| {
            let or = vec!["deviceId = 'x'"; MAX_CONDITION_BYTES / 18].join(" OR ");
            let and = vec!["tags.floor = 2"; MAX_CONDITION_BYTES / 19].join(" AND ");
            let (or, and) = (
                Condition::parse(&or).unwrap(),
                Condition::parse(&and).unwrap(),
            );
            for condition in [&or, &and] {
                let (Expr::Or(terms) | Expr::And(terms)) = &condition.0 else {
                    panic!("not flat: {:?}", condition.0);
                };
                assert!(terms.len() > 1500, "{}", terms.len());
            }
            (or.matches(&twin()), and.matches(&twin()))
        });
        assert_eq!(result, (false, true));
        // Parenthesised runs of the same operator join the chain.
        let joined = Condition::parse("(a = 1 OR b = 2) OR (c = 3 OR (d = 4))").unwrap();
        assert!(
            matches!(&joined.0, Expr::Or(terms) if terms.len() == 4),
            "{joined:?}"
        );
    }

    #[test]
    // The expected values are written as the conditions read, not simplified.
    #[allow(clippy::nonminimal_bool)]
    fn matching_short_circuits_like_the_boolean_operators() {
        // Every combination of three terms under AND/OR/NOT, against the plain reading.
        let terms = [("deviceId = 'dev-1'", true), ("deviceId = 'x'", false)];
        for (a, va) in terms {
            for (b, vb) in terms {
                for (c, vc) in terms {
                    let cases = [
                        (format!("{a} AND {b} OR {c}"), va && vb || vc),
                        (format!("{a} OR {b} AND {c}"), va || vb && vc),
                        (format!("NOT ({a} OR {b}) AND NOT {c}"), !(va || vb) && !vc),
                        (format!("NOT {a} OR NOT ({b} AND {c})"), !va || !(vb && vc)),
                        (
                            format!("({a} OR {b}) AND ({b} OR {c})"),
                            (va || vb) && (vb || vc),
                        ),
                    ];
                    for (text, expected) in cases {
                        assert_eq!(check(&text), expected, "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn echoed_values_are_escaped_and_short() {
        let error = Condition::parse("deviceId = 'x' \u{7}").unwrap_err();
        assert!(error.message.contains("`\\u{7}`"), "{error}");
        let error = Condition::parse("a = \u{1b}[2J").unwrap_err();
        assert!(!error.message.contains('\u{1b}'), "{error}");
        let long_number = format!("a = -{}x", "9".repeat(5000));
        let error = Condition::parse(&long_number).unwrap_err();
        assert!(error.message.len() < 200, "{}", error.message.len());
    }
}
