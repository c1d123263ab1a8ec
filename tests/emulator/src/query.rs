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

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

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
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
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
                    .map_err(|_| error(pos, format!("`{literal}` is not a number")))?;
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
            other => return Err(error(pos, format!("unexpected character `{other}`"))),
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

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.and()?;
        while self.keyword("OR") {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.not()?;
        while self.keyword("AND") {
            left = Expr::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.keyword("NOT") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        if self.peek() == Some(&Token::LParen) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::RParen, "`)`")?;
            return Ok(inner);
        }
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
    /// Parses a job's `queryCondition`.
    pub fn parse(text: &str) -> Result<Self, QueryError> {
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
        let expr = parser.or()?;
        if parser.at < parser.tokens.len() {
            return parser.error("unexpected text after the condition (missing AND or OR?)");
        }
        Ok(Self(expr))
    }

    /// Whether the device twin (as JSON: `deviceId`, `tags`, `properties.desired`,
    /// `properties.reported`, ...) matches.
    pub fn matches(&self, twin: &Value) -> bool {
        eval(&self.0, twin)
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

fn eval(expr: &Expr, twin: &Value) -> bool {
    match expr {
        Expr::All => true,
        Expr::Or(a, b) => eval(a, twin) || eval(b, twin),
        Expr::And(a, b) => eval(a, twin) && eval(b, twin),
        Expr::Not(inner) => !eval(inner, twin),
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
}
