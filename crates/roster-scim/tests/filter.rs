//! The filter grammar (RFC 7644 §3.4.2.2), PATCH paths, their error
//! messages, Display round trips, and evaluation over a user's JSON.

use roster_scim::filter::{
    matches_element, parse_attr_path, parse_filter, parse_patch_path, MAX_NESTING, MAX_TREE_DEPTH,
};
use roster_scim::schema::{CatalogueHints, ResourceSchema};
use roster_scim::urn;
use roster_scim::{AttrPath, CompValue, CompareOp, Filter, FilterError};
use serde_json::{json, Value};

fn path(text: &str) -> AttrPath {
    parse_attr_path(text).unwrap_or_else(|e| panic!("{text:?} should be a path: {e}"))
}

fn parse(text: &str) -> Filter {
    parse_filter(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
}

fn error(text: &str) -> FilterError {
    match parse_filter(text) {
        Ok(f) => panic!("{text:?} should not parse, but gave {f:?}"),
        Err(e) => e,
    }
}

fn pr(p: &str) -> Filter {
    Filter::Present(path(p))
}

fn cmp(p: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare(path(p), op, value)
}

fn s(text: &str) -> CompValue {
    CompValue::String(text.to_string())
}

fn and(a: Filter, b: Filter) -> Filter {
    Filter::And(Box::new(a), Box::new(b))
}

fn or(a: Filter, b: Filter) -> Filter {
    Filter::Or(Box::new(a), Box::new(b))
}

fn not(a: Filter) -> Filter {
    Filter::Not(Box::new(a))
}

fn number(text: &str) -> CompValue {
    CompValue::Number(text.parse().unwrap())
}

// ---------------------------------------------------------------- grammar

#[test]
fn every_comparison_operator_in_any_case() {
    let ops = [
        ("eq", CompareOp::Eq),
        ("ne", CompareOp::Ne),
        ("co", CompareOp::Co),
        ("sw", CompareOp::Sw),
        ("ew", CompareOp::Ew),
        ("gt", CompareOp::Gt),
        ("ge", CompareOp::Ge),
        ("lt", CompareOp::Lt),
        ("le", CompareOp::Le),
    ];
    for (word, op) in ops {
        for written in [word.to_string(), word.to_uppercase(), {
            let mut w = word.to_string();
            w[..1].make_ascii_uppercase();
            w
        }] {
            let text = format!("title {written} \"x\"");
            assert_eq!(parse(&text), cmp("title", op, s("x")), "{text}");
        }
        assert_eq!(op.as_str(), word, "as_str writes the lowercase keyword");
    }
}

#[test]
fn present_in_any_case() {
    assert_eq!(parse("title pr"), pr("title"));
    assert_eq!(parse("title PR"), pr("title"));
    assert_eq!(parse("title Pr"), pr("title"));
}

#[test]
fn literal_values() {
    assert_eq!(
        parse("active eq true"),
        cmp("active", CompareOp::Eq, CompValue::Bool(true))
    );
    assert_eq!(
        parse("active eq FALSE"),
        cmp("active", CompareOp::Eq, CompValue::Bool(false))
    );
    assert_eq!(
        parse("active eq True"),
        cmp("active", CompareOp::Eq, CompValue::Bool(true))
    );
    assert_eq!(
        parse("title eq null"),
        cmp("title", CompareOp::Eq, CompValue::Null)
    );
    assert_eq!(
        parse("title eq NULL"),
        cmp("title", CompareOp::Eq, CompValue::Null)
    );
    for n in [
        "0",
        "42",
        "-7",
        "3.25",
        "-0.5",
        "1e3",
        "2.5E-3",
        "1E+2",
        "18446744073709551615",
    ] {
        assert_eq!(
            parse(&format!("creditLimit gt {n}")),
            cmp("creditLimit", CompareOp::Gt, number(n)),
            "{n} is a JSON number"
        );
    }
}

#[test]
fn whitespace_is_flexible() {
    let expected = and(cmp("title", CompareOp::Eq, s("x")), pr("nickName"));
    for text in [
        "title eq \"x\" and nickName pr",
        "  title   eq   \"x\"   and   nickName   pr  ",
        "title eq\"x\"and nickName pr",
        "\ttitle\teq \"x\"\nand\r\nnickName pr",
        "(title eq \"x\")and(nickName pr)",
        "( title eq \"x\" ) and ( nickName pr )",
    ] {
        assert_eq!(parse(text), expected, "{text:?}");
    }
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(
        parse("a pr or b pr and c pr"),
        or(pr("a"), and(pr("b"), pr("c")))
    );
    assert_eq!(
        parse("a pr and b pr or c pr"),
        or(and(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        parse("a pr and b pr or c pr and d pr"),
        or(and(pr("a"), pr("b")), and(pr("c"), pr("d")))
    );
}

#[test]
fn chains_group_to_the_left() {
    assert_eq!(
        parse("a pr and b pr and c pr"),
        and(and(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        parse("a pr or b pr or c pr"),
        or(or(pr("a"), pr("b")), pr("c"))
    );
}

#[test]
fn parentheses_group() {
    assert_eq!(
        parse("(a pr or b pr) and c pr"),
        and(or(pr("a"), pr("b")), pr("c"))
    );
    assert_eq!(
        parse("a pr and (b pr or c pr)"),
        and(pr("a"), or(pr("b"), pr("c")))
    );
    assert_eq!(
        parse("a pr and (b pr and c pr)"),
        and(pr("a"), and(pr("b"), pr("c")))
    );
    assert_eq!(
        parse("((((a pr))))"),
        pr("a"),
        "redundant parentheses leave no trace"
    );
}

#[test]
fn not_binds_tightest_and_needs_parentheses() {
    assert_eq!(parse("not (a pr)"), not(pr("a")));
    assert_eq!(parse("NOT(a pr)"), not(pr("a")));
    assert_eq!(parse("not (a pr) and b pr"), and(not(pr("a")), pr("b")));
    assert_eq!(
        parse("b pr or not (a pr or c pr)"),
        or(pr("b"), not(or(pr("a"), pr("c"))))
    );
    assert_eq!(parse("not (not (a pr))"), not(not(pr("a"))));
    // The RFC's own example.
    assert_eq!(
        parse(
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#
        ),
        and(
            cmp("userType", CompareOp::Ne, s("Employee")),
            not(or(
                cmp("emails", CompareOp::Co, s("example.com")),
                cmp("emails.value", CompareOp::Co, s("example.org"))
            ))
        )
    );
}

#[test]
fn keywords_are_also_attribute_names_where_a_name_is_expected() {
    assert_eq!(parse("not pr"), pr("not"));
    assert_eq!(
        parse("and eq \"x\" and or pr"),
        and(cmp("and", CompareOp::Eq, s("x")), pr("or"))
    );
    assert_eq!(parse("pr pr"), pr("pr"));
    assert_eq!(
        parse("order pr or android pr"),
        or(pr("order"), pr("android"))
    );
}

#[test]
fn value_paths() {
    assert_eq!(
        parse(r#"emails[type eq "work" and value co "@example.com"]"#),
        Filter::ValuePath(
            path("emails"),
            Box::new(and(
                cmp("type", CompareOp::Eq, s("work")),
                cmp("value", CompareOp::Co, s("@example.com"))
            ))
        )
    );
    assert_eq!(
        parse(
            r#"userType eq "Employee" and emails[type eq "work" or not (primary eq false)] or title pr"#
        ),
        or(
            and(
                cmp("userType", CompareOp::Eq, s("Employee")),
                Filter::ValuePath(
                    path("emails"),
                    Box::new(or(
                        cmp("type", CompareOp::Eq, s("work")),
                        not(cmp("primary", CompareOp::Eq, CompValue::Bool(false)))
                    ))
                )
            ),
            pr("title")
        )
    );
    assert_eq!(
        parse(r#"emails[ (type eq "work") ]"#),
        Filter::ValuePath(
            path("emails"),
            Box::new(cmp("type", CompareOp::Eq, s("work")))
        )
    );
    let qualified = parse(&format!(
        "{}:applications[mode eq \"all\"]",
        urn::ROSTER_USER
    ));
    let Filter::ValuePath(p, _) = qualified else {
        panic!("a qualified value path")
    };
    assert_eq!(p.urn.as_deref(), Some(urn::ROSTER_USER));
    assert_eq!(p.attr, "applications");
}

#[test]
fn urn_qualified_paths() {
    let p = path("urn:ietf:params:scim:schemas:core:2.0:User:name.familyName");
    assert_eq!(p.urn.as_deref(), Some(urn::USER), "the URN keeps its '2.0'");
    assert_eq!(p.attr, "name");
    assert_eq!(p.sub_attr.as_deref(), Some("familyName"));

    let p = path("urn:roster:params:scim:schemas:extension:roster:2.0:User:role");
    assert_eq!(p.urn.as_deref(), Some(urn::ROSTER_USER));
    assert_eq!(p.attr, "role");
    assert_eq!(p.sub_attr, None);

    let p = path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.$ref");
    assert_eq!(p.attr, "manager");
    assert_eq!(p.sub_attr.as_deref(), Some("$ref"));

    assert_eq!(
        parse("urn:ietf:params:scim:schemas:core:2.0:User:userName sw \"b\""),
        Filter::Compare(
            AttrPath {
                urn: Some(urn::USER.into()),
                attr: "userName".into(),
                sub_attr: None
            },
            CompareOp::Sw,
            s("b")
        )
    );
}

#[test]
fn attribute_names() {
    for ok in [
        "a",
        "userName",
        "x509Certificates",
        "my-attr_2",
        "$ref",
        "members.$ref",
        "A.b-c_9",
    ] {
        parse_attr_path(ok).unwrap_or_else(|e| panic!("{ok:?} is a valid path: {e}"));
    }
    let p = path("  name.givenName  ");
    assert_eq!(
        (p.attr.as_str(), p.sub_attr.as_deref()),
        ("name", Some("givenName"))
    );
}

#[test]
fn every_json_escape() {
    let text = r#"title eq "q\" b\\ s\/ \b\f\n\r\t \u00e9\u00E9 \ud83d\ude00 \u0000""#;
    assert_eq!(
        parse(text),
        cmp(
            "title",
            CompareOp::Eq,
            s("q\" b\\ s/ \u{8}\u{c}\n\r\t éé 😀 \u{0}")
        )
    );
    assert_eq!(
        parse("title eq \"Zoë 日本\""),
        cmp("title", CompareOp::Eq, s("Zoë 日本"))
    );
    assert_eq!(parse("title eq \"\""), cmp("title", CompareOp::Eq, s("")));
}

// ----------------------------------------------------------------- errors

/// Asserts the message and the 1-based character position of an error.
fn assert_error(text: &str, message: &str, position: usize) {
    let e = error(text);
    assert_eq!(e.message, message, "message for {text:?}");
    assert_eq!(
        e.position, position,
        "position for {text:?} ({})",
        e.message
    );
    assert_eq!(
        e.to_string(),
        format!("{message} (at character {position})")
    );
}

#[test]
fn empty_filter() {
    let message = r#"the filter is empty; write a condition such as userName eq "bjensen""#;
    assert_error("", message, 1);
    assert_error("   ", message, 4);
}

#[test]
fn unknown_operators() {
    assert_error(
        r#"userName eqq "x""#,
        r#"unknown operator "eqq"; use eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        10,
    );
    assert_error(
        r#"userName = "x""#,
        r#"unknown operator "="; use eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        10,
    );
    assert_error(
        r#"userName != "x""#,
        r#"unknown operator "!="; use eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        10,
    );
    assert_error(
        "userName",
        r#""userName" must be followed by an operator: eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        9,
    );
    assert_error(
        "userName and title pr",
        r#""userName" must be followed by an operator before "and": eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        10,
    );
    assert_error(
        "(userName)",
        r#""userName" must be followed by an operator: eq, ne, co, sw, ew, gt, ge, lt, le or pr"#,
        10,
    );
}

#[test]
fn unclosed_strings() {
    assert_error(
        r#"userName eq "bjensen"#,
        "the string that starts at character 13 is never closed",
        21,
    );
    assert_error(
        r#"userName eq "bjensen\"#,
        "the string that starts at character 13 is never closed",
        22,
    );
    assert_error(
        r#"userName eq "a\" and title pr"#,
        "the string that starts at character 13 is never closed",
        30,
    );
}

#[test]
fn unbalanced_parentheses_and_brackets() {
    assert_error("(title pr", r#""(" at character 1 has no matching ")""#, 10);
    assert_error(
        "a pr and ((title pr)",
        r#""(" at character 10 has no matching ")""#,
        21,
    );
    assert_error(
        "not (title pr",
        r#""(" at character 5 has no matching ")""#,
        14,
    );
    assert_error("title pr)", r#"")" at character 9 has no matching "(""#, 9);
    assert_error("title pr]", r#""]" at character 9 has no matching "[""#, 9);
    assert_error(
        r#"emails[type eq "work""#,
        r#""[" at character 7 has no matching "]""#,
        22,
    );
    assert_error(
        r#"emails[type eq "work")]"#,
        r#"")" at character 22 has no matching "(""#,
        22,
    );
    assert_error(
        r#"emails[(type eq "work"]"#,
        r#""(" at character 8 has no matching ")""#,
        23,
    );
    assert_error(
        "(title pr]",
        r#""(" at character 1 has no matching ")""#,
        10,
    );
    assert_error(
        "()",
        "the parentheses at character 1 are empty; put a condition inside",
        1,
    );
    assert_error(
        "emails[ ]",
        r#"the brackets at character 7 are empty; put a condition inside, as in emails[type eq "work"]"#,
        7,
    );
}

#[test]
fn leftover_text() {
    assert_error(
        "title pr foo",
        r#"unexpected text "foo" after the end of the filter; combine conditions with "and" or "or""#,
        10,
    );
    assert_error(
        r#"title eq "a" "b""#,
        r#"unexpected text '"b"' after the end of the filter"#,
        14,
    );
    assert_error(
        "(title pr foo)",
        r#"unexpected text "foo)" inside the parentheses opened at character 1; expected "and", "or" or ")""#,
        11,
    );
    assert_error(
        "emails[type pr foo]",
        r#"unexpected text "foo]" inside the brackets opened at character 7; expected "and", "or" or "]""#,
        16,
    );
    let long = format!("title pr {}", "x".repeat(100));
    let e = error(&long);
    assert!(
        e.message
            .starts_with(&format!("unexpected text \"{}…\"", "x".repeat(24))),
        "long leftovers are shortened: {}",
        e.message
    );
}

#[test]
fn present_takes_no_value() {
    assert_error(
        r#"title pr "x""#,
        r#""pr" (is present) takes no value; remove '"x"'"#,
        10,
    );
    assert_error(
        "title PR true",
        r#""PR" (is present) takes no value; remove "true""#,
        10,
    );
    assert_error(
        "title pr 5",
        r#""pr" (is present) takes no value; remove "5""#,
        10,
    );
    assert_error(
        "title pr null",
        r#""pr" (is present) takes no value; remove "null""#,
        10,
    );
}

#[test]
fn missing_or_malformed_values() {
    assert_error(
        "userName eq",
        r#"expected a value after "eq": a string in double quotes, a number, true, false or null, but the filter ends there"#,
        12,
    );
    assert_error(
        "userName EQ )",
        r#"expected a value after "EQ": a string in double quotes, a number, true, false or null, found ")""#,
        13,
    );
    assert_error(
        "userName eq bjensen",
        r#"text values go in double quotes: write "bjensen" instead of bjensen"#,
        13,
    );
    assert_error(
        "userName eq 'bjensen'",
        r#"strings go in double quotes, not single quotes, as in userName eq "bjensen""#,
        13,
    );
    assert_error(
        "creditLimit gt 12abc",
        r#""12abc" is not a valid number"#,
        16,
    );
    assert_error("creditLimit gt 01", r#""01" is not a valid number"#, 16);
    assert_error("creditLimit gt 1.", r#""1." is not a valid number"#, 16);
    assert_error("creditLimit gt -", r#""-" is not a valid number"#, 16);
    assert_error("creditLimit gt 1e400", "the number 1e400 is too large", 16);
}

#[test]
fn dangling_logical_operators() {
    assert_error(
        "title pr and",
        r#""and" at character 10 must be followed by another condition, but the filter ends there"#,
        13,
    );
    assert_error(
        "(title pr OR )",
        r#""OR" at character 11 must be followed by another condition, found ")""#,
        14,
    );
    assert_error(
        "not title pr",
        r#""not" must be followed by a condition in parentheses, as in not (title pr)"#,
        1,
    );
    assert_error(
        "not",
        r#""not" must be followed by a condition in parentheses, as in not (title pr)"#,
        1,
    );
    assert_error(
        "and title pr",
        r#""and" must join two conditions, as in title pr and userName pr, but no condition comes before it"#,
        1,
    );
    assert_error(
        "(OR title pr)",
        r#""OR" must join two conditions, as in title pr OR userName pr, but no condition comes before it"#,
        2,
    );
}

#[test]
fn malformed_attribute_paths() {
    assert_error(
        r#""userName" eq "x""#,
        r#"expected an attribute name, found a string; a condition reads like userName eq "bjensen""#,
        1,
    );
    assert_error(
        "2fa pr",
        r#"expected a condition such as userName eq "bjensen", found "2fa""#,
        1,
    );
    assert_error(
        "name.givenName.first pr",
        r#""name.givenName.first" has more than one ".": a path names an attribute and at most one sub-attribute, as in name.familyName"#,
        1,
    );
    assert_error(
        "name. pr",
        r#"expected a sub-attribute name after "name.""#,
        6,
    );
    assert_error(
        ".name pr",
        r#"expected a condition such as userName eq "bjensen", found ".name""#,
        1,
    );
    assert_error(
        "foo:bar pr",
        r#""foo" is not a schema URN; a qualified attribute reads like urn:ietf:params:scim:schemas:core:2.0:User:userName"#,
        1,
    );
    assert_error(
        "urn:ietf:params:scim:schemas:core:2.0:User: pr",
        r#"expected an attribute name after "urn:ietf:params:scim:schemas:core:2.0:User:""#,
        44,
    );
    assert_error(
        "name.2nd pr",
        r#""2nd" is not a valid attribute name: names start with a letter and contain only letters, digits, "-" and "_""#,
        6,
    );
    assert_error(
        "$foo pr",
        r#""$foo" is not a valid attribute name: names start with a letter and contain only letters, digits, "-" and "_""#,
        1,
    );
}

#[test]
fn value_path_mistakes() {
    assert_error(
        r#"emails[type eq "work" and phoneNumbers[type pr]]"#,
        r#"a value filter cannot contain another one: the "[" at character 39 is inside the "[" at character 7"#,
        39,
    );
    assert_error(
        r#"emails.value[type pr]"#,
        r#""[" must follow a multi-valued attribute, not a sub-attribute: write emails[...] instead of emails.value[...]"#,
        13,
    );
    assert_error(
        r#"emails[type eq "work"].value eq "x""#,
        r#"a sub-attribute after "]" (as in emails[type eq "work"].value) is only allowed in PATCH paths, not in filters"#,
        23,
    );
}

#[test]
fn bad_escapes() {
    assert_error(
        r#"title eq "a\qb""#,
        r#"unknown escape "\q" at character 12 in a string; use \", \\, \/, \b, \f, \n, \r, \t or \uXXXX"#,
        12,
    );
    assert_error(
        r#"title eq "\u12""#,
        r#""\u" at character 11 must be followed by four hexadecimal digits"#,
        11,
    );
    assert_error(
        r#"title eq "\uzzzz""#,
        r#""\u" at character 11 must be followed by four hexadecimal digits"#,
        11,
    );
    assert_error(
        r#"title eq "\ud83d""#,
        r#""\ud83d" at character 11 is the first half of a surrogate pair; the second half (\uDC00 to \uDFFF) must follow it"#,
        11,
    );
    assert_error(
        r#"title eq "\ud83d\u0041""#,
        r#""\ud83d" at character 11 is the first half of a surrogate pair; the second half (\uDC00 to \uDFFF) must follow it"#,
        11,
    );
    assert_error(
        r#"title eq "\uDE00""#,
        r#""\uDE00" at character 11 is the second half of a surrogate pair; the first half (\uD800 to \uDBFF) must come before it"#,
        11,
    );
    assert_error(
        "title eq \"é\\é\"",
        r#"unknown escape "\é" at character 12 in a string; use \", \\, \/, \b, \f, \n, \r, \t or \uXXXX"#,
        12,
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    // "é" and "日" are several bytes each; positions are what a person counts.
    assert_error(
        "title eq \"é日\" foo",
        r#"unexpected text "foo" after the end of the filter; combine conditions with "and" or "or""#,
        15,
    );
}

// ---------------------------------------------------- limits and hostility

#[test]
fn nesting_limit() {
    let ok = format!(
        "{}title pr{}",
        "(".repeat(MAX_NESTING),
        ")".repeat(MAX_NESTING)
    );
    assert_eq!(parse(&ok), pr("title"));
    let too_deep = format!(
        "{}title pr{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    assert_error(
        &too_deep,
        r#"the filter nests parentheses, "not (...)" and "[...]" more than 64 levels deep"#,
        MAX_NESTING + 1,
    );
    let nots = format!(
        "{}title pr{}",
        "not (".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    assert!(error(&nots).message.contains("more than 64 levels deep"));
}

#[test]
fn hostile_nesting_fails_fast_without_overflowing_the_stack() {
    let hostile = "(".repeat(1_000_000);
    assert!(error(&hostile).message.contains("levels deep"));
    let hostile = "not (".repeat(200_000);
    assert!(error(&hostile).message.contains("levels deep"));
}

#[test]
fn tree_depth_limit() {
    let chain = |n: usize| vec!["title pr"; n].join(" and ");
    let ok = parse(&chain(MAX_TREE_DEPTH));
    let mut depth = 1;
    let mut node = &ok;
    while let Filter::And(left, _) = node {
        depth += 1;
        node = left;
    }
    assert_eq!(depth, MAX_TREE_DEPTH);
    let e = error(&chain(MAX_TREE_DEPTH + 1));
    assert_eq!(
        e.message,
        r#"the filter is too long: it chains or nests more than 256 "and", "or" and "not"; split it into smaller filters"#
    );
    // A million conditions: rejected at the 257th, not after building a
    // tree that would overflow the stack when dropped.
    let huge = chain(1_000_000);
    assert!(error(&huge).message.starts_with("the filter is too long"));
}

#[test]
fn huge_values_parse_in_linear_time() {
    let big = "a\\\"b".repeat(500_000);
    let text = format!(
        "title eq \"{big}\" and emails co \"{}\"",
        "é".repeat(500_000)
    );
    let Filter::And(left, right) = parse(&text) else {
        panic!("an and")
    };
    assert_eq!(
        *left,
        cmp("title", CompareOp::Eq, s(&"a\"b".repeat(500_000)))
    );
    assert_eq!(
        *right,
        cmp("emails", CompareOp::Co, s(&"é".repeat(500_000)))
    );
    let unclosed = format!("title eq \"{}", "x".repeat(2_000_000));
    assert!(error(&unclosed).message.contains("never closed"));
    let spaces = format!("{}title pr{}", " ".repeat(2_000_000), " ".repeat(2_000_000));
    assert_eq!(parse(&spaces), pr("title"));
}

// ------------------------------------------------------------------ paths

#[test]
fn attr_path_errors() {
    let e = parse_attr_path("").unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.position),
        ("the attribute path is empty", 1)
    );
    let e = parse_attr_path("emails[type pr]").unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.position),
        (
            r#"a value filter "[...]" is not allowed here; name the attribute only, as in emails or emails.value"#,
            7
        )
    );
    let e = parse_attr_path("emails [type pr]").unwrap_err();
    assert_eq!(
        e.message,
        r#"unexpected text "[" after the attribute path "emails""#
    );
    let e = parse_attr_path("1abc").unwrap_err();
    assert_eq!(
        e.message,
        r#""1abc" is not a valid attribute name: names start with a letter and contain only letters, digits, "-" and "_""#
    );
    let e = parse_attr_path("(x)").unwrap_err();
    assert_eq!(
        e.message,
        r#"expected an attribute name such as userName, found "(""#
    );
}

#[test]
fn patch_paths() {
    let p = parse_patch_path("name.familyName").unwrap();
    assert_eq!(p.attr, path("name.familyName"));
    assert_eq!((p.value_filter, p.sub_attr), (None, None));

    let p = parse_patch_path(r#"emails[type eq "work"].value"#).unwrap();
    assert_eq!(p.attr, path("emails"));
    assert_eq!(p.value_filter, Some(cmp("type", CompareOp::Eq, s("work"))));
    assert_eq!(p.sub_attr.as_deref(), Some("value"));

    let p = parse_patch_path(r#"members[value eq "2819c223"]"#).unwrap();
    assert_eq!(
        p.value_filter,
        Some(cmp("value", CompareOp::Eq, s("2819c223")))
    );
    assert_eq!(p.sub_attr, None);

    let p = parse_patch_path(&format!(
        "{}:applications[value eq \"crm\"].mode",
        urn::ROSTER_USER
    ))
    .unwrap();
    assert_eq!(p.attr.urn.as_deref(), Some(urn::ROSTER_USER));
    assert_eq!(p.attr.attr, "applications");
    assert_eq!(p.sub_attr.as_deref(), Some("mode"));
}

#[test]
fn patch_path_errors() {
    let cases = [
        ("", "the path is empty", 1),
        (
            r#"emails[type eq "work"]."#,
            r#"expected a sub-attribute name after "].""#,
            24,
        ),
        (
            r#"emails[type eq "work"].2"#,
            r#""2" is not a valid attribute name: names start with a letter and contain only letters, digits, "-" and "_""#,
            24,
        ),
        (
            r#"emails[type eq "work"] x"#,
            r#"unexpected text "x" after the path"#,
            24,
        ),
        (
            r#"emails[type eq "work"].value.x"#,
            r#"unexpected text ".x" after the path"#,
            29,
        ),
        (
            r#"emails[value[type pr]]"#,
            r#"a value filter cannot contain another one: the "[" at character 13 is inside the "[" at character 7"#,
            13,
        ),
        (
            r#"emails[type eq "work""#,
            r#""[" at character 7 has no matching "]""#,
            22,
        ),
    ];
    for (text, message, position) in cases {
        let e = parse_patch_path(text).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.position),
            (message, position),
            "{text:?}"
        );
    }
}

// ---------------------------------------------------------------- display

#[test]
fn display_writes_canonical_text() {
    let cases = [
        ("TITLE PR", "TITLE pr"),
        ("a pr AND (b pr OR c pr)", "a pr and (b pr or c pr)"),
        ("(a pr or b pr) and c pr", "(a pr or b pr) and c pr"),
        ("a pr or (b pr and c pr)", "a pr or b pr and c pr"),
        ("((a pr and b pr)) and c pr", "a pr and b pr and c pr"),
        ("a pr and (b pr and c pr)", "a pr and (b pr and c pr)"),
        ("a pr or (b pr or c pr)", "a pr or (b pr or c pr)"),
        ("NOT(a pr)", "not (a pr)"),
        ("x eq TRUE", "x eq true"),
        ("x eq Null", "x eq null"),
        ("x gt 1E3", "x gt 1000.0"),
        ("x eq -5", "x eq -5"),
        (r#"x eq "\u00e9\/\t\"""#, "x eq \"é/\\t\\\"\""),
        (r#"x eq "\u0001\u007f""#, r#"x eq "\u0001\u007f""#),
        (
            r#"emails[type eq "work" and not (primary eq false)]"#,
            r#"emails[type eq "work" and not (primary eq false)]"#,
        ),
    ];
    for (input, shown) in cases {
        assert_eq!(parse(input).to_string(), shown, "display of {input:?}");
    }
    assert_eq!(
        path("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").to_string(),
        "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName"
    );
    assert_eq!(
        CompValue::String("a\"b\\".into()).to_string(),
        r#""a\"b\\""#
    );
    assert_eq!(CompValue::Bool(false).to_string(), "false");
    assert_eq!(CompValue::Null.to_string(), "null");
    assert_eq!(number("2.5").to_string(), "2.5");
    assert_eq!(
        parse_patch_path(r#"emails[type eq "work"].value"#)
            .unwrap()
            .to_string(),
        r#"emails[type eq "work"].value"#
    );
}

#[test]
fn display_round_trips_written_filters() {
    let filters = [
        r#"userName eq "bjensen""#,
        r#"name.familyName co "O'Malley""#,
        r#"userName sw "J""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        "title pr",
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
        r#"urn:roster:params:scim:schemas:extension:roster:2.0:User:role eq "admin""#,
        r#"urn:roster:params:scim:schemas:extension:roster:2.0:User:applications[value eq "crm" and mode eq "custom"]"#,
        "creditLimit ge -12.5e-3 or creditsUsed lt 18446744073709551615",
        "not (not (a pr)) and (b pr or (c pr and (d pr or e pr)))",
        "((a pr or b pr) and (c pr or d pr)) or (e pr and f pr)",
        r#"a eq "tab\there\nnew \"quoted\" back\\slash \u0007 😀""#,
        "members.$ref pr",
        "not pr or pr pr",
    ];
    for text in filters {
        let f = parse(text);
        let shown = f.to_string();
        assert_eq!(parse(&shown), f, "{text:?} displayed as {shown:?}");
    }
}

/// A tiny deterministic generator, so the round trip covers trees no one
/// thought to write down.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn random_path(rng: &mut Lcg, in_value_filter: bool) -> AttrPath {
    let names = [
        "userName", "name", "emails", "x-y_1", "$ref", "and", "or", "pr", "eq",
    ];
    let urns = [urn::USER, urn::ROSTER_USER];
    let attr = names[rng.next(names.len() as u64) as usize].to_string();
    let urn =
        (!in_value_filter && rng.next(4) == 0).then(|| urns[rng.next(2) as usize].to_string());
    let sub_attr =
        (rng.next(3) == 0).then(|| names[rng.next(names.len() as u64) as usize].to_string());
    AttrPath {
        urn,
        attr,
        sub_attr,
    }
}

fn random_value(rng: &mut Lcg) -> CompValue {
    match rng.next(6) {
        0 => CompValue::Null,
        1 => CompValue::Bool(rng.next(2) == 0),
        2 => CompValue::Number((rng.next(1000) as i64 - 500).into()),
        3 => CompValue::Number(
            serde_json::Number::from_f64(rng.next(100_000) as f64 / 64.0 - 700.0).unwrap(),
        ),
        _ => {
            let pieces = [
                "a", "\"", "\\", "/", "\n", "\u{1}", "é", "😀", " ", "]", ")", "and",
            ];
            let n = rng.next(6);
            CompValue::String(
                (0..n)
                    .map(|_| pieces[rng.next(pieces.len() as u64) as usize])
                    .collect(),
            )
        }
    }
}

fn random_filter(rng: &mut Lcg, depth: u32, in_value_filter: bool) -> Filter {
    let ops = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];
    let choice = if depth == 0 { rng.next(2) } else { rng.next(6) };
    match choice {
        0 => Filter::Present(random_path(rng, in_value_filter)),
        1 => Filter::Compare(
            random_path(rng, in_value_filter),
            ops[rng.next(ops.len() as u64) as usize],
            random_value(rng),
        ),
        2 => and(
            random_filter(rng, depth - 1, in_value_filter),
            random_filter(rng, depth - 1, in_value_filter),
        ),
        3 => or(
            random_filter(rng, depth - 1, in_value_filter),
            random_filter(rng, depth - 1, in_value_filter),
        ),
        4 => not(random_filter(rng, depth - 1, in_value_filter)),
        _ if !in_value_filter => {
            let mut p = random_path(rng, false);
            p.sub_attr = None;
            Filter::ValuePath(p, Box::new(random_filter(rng, depth - 1, true)))
        }
        _ => Filter::Present(random_path(rng, true)),
    }
}

#[test]
fn display_round_trips_generated_trees() {
    let mut rng = Lcg(7);
    for _ in 0..3_000 {
        let depth = rng.next(6) as u32;
        let f = random_filter(&mut rng, depth, false);
        let shown = f.to_string();
        match parse_filter(&shown) {
            Ok(back) => assert_eq!(back, f, "{shown}"),
            Err(e) => panic!("{shown:?} did not parse back: {e}"),
        }
    }
}

// ------------------------------------------------------------- evaluation

fn user_schema() -> ResourceSchema {
    ResourceSchema::user(&CatalogueHints {
        role_ids: vec!["admin".into(), "manager".into(), "member".into()],
        application_ids: vec!["crm".into(), "billing".into()],
        permission_ids: vec!["crm:read".into(), "crm:export".into()],
    })
}

fn barbara() -> Value {
    json!({
        "schemas": [urn::USER, urn::ROSTER_USER],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "bjensen-ext",
        "userName": "bjensen@example.com",
        "name": {
            "formatted": "Ms. Barbara J Jensen, III",
            "familyName": "Jensen",
            "givenName": "Barbara"
        },
        "displayName": "Babs Jensen",
        "nickName": "",
        "title": "Tour Guide",
        "userType": "Employee",
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJ"}],
        "meta": {
            "resourceType": "User",
            "created": "2024-01-23T04:56:22Z",
            "lastModified": "2024-05-13T04:42:34.5+02:00",
            "version": "W/\"3694e05e9dff590\"",
            "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
        },
        urn::ROSTER_USER: {
            "status": "active",
            "role": "manager",
            "applications": [
                {"value": "crm", "display": "CRM", "mode": "custom"},
                {"value": "billing", "mode": "all"}
            ],
            "permissions": ["crm:read", "crm:export"],
            "departments": ["Sales", "Support"],
            "creditLimit": 500,
            "creditsUsed": 120,
            "allowedIps": [],
            "notifications": {"email": true, "inApp": false, "digest": "weekly"},
            "lastActive": "2024-05-13T09:30:00+02:00"
        }
    })
}

fn check(cases: &[(&str, bool)]) {
    let schema = user_schema();
    let user = barbara();
    for (text, expected) in cases {
        let f = parse(text);
        assert_eq!(
            f.matches(&user, &schema),
            *expected,
            "{text} should be {expected} for Barbara"
        );
    }
}

#[test]
fn eq_and_ne_follow_case_exact() {
    check(&[
        (r#"userName eq "BJENSEN@example.com""#, true),
        (r#"userName eq "bjensen""#, false),
        (r#"id eq "2819c223-7f76-453a-919d-413861904646""#, true),
        (r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
        (r#"externalId eq "BJENSEN-EXT""#, false),
        (r#"role eq "manager""#, true),
        (r#"role eq "Manager""#, false),
        (r#"departments eq "sales""#, true),
        (r#"title ne "Tour Guide""#, false),
        (r#"title ne "tour guide""#, false),
        (r#"title ne "Driver""#, true),
        (r#"role ne "Manager""#, true),
        (r#"userType eq "employee""#, true),
    ]);
}

#[test]
fn absent_values() {
    check(&[
        (r#"title eq "x""#, false),
        (r#"timezone eq "x""#, false),
        (r#"timezone ne "x""#, true),
        ("timezone pr", false),
        ("nickName pr", false),
        (r#"nickName eq """#, true),
        ("timezone eq null", true),
        ("nickName eq null", true),
        ("title eq null", false),
        ("title ne null", true),
        ("timezone ne null", false),
        ("title gt null", false),
    ]);
}

#[test]
fn substring_operators() {
    check(&[
        (r#"name.familyName co "ens""#, true),
        (r#"name.familyName co "ENS""#, true),
        (r#"name.familyName sw "jen""#, true),
        (r#"name.familyName sw "sen""#, false),
        (r#"name.familyName ew "SEN""#, true),
        (r#"name.familyName ew "jen""#, false),
        (r#"name.familyName co """#, true),
        (r#"role co "ANA""#, false),
        (r#"role co "ana""#, true),
        (r#"meta.location sw "https://example.com/v2/Users/""#, true),
        (r#"meta.created co "2024""#, false),
        (r#"creditLimit co "5""#, false),
        (r#"active co "t""#, false),
    ]);
}

#[test]
fn ordering_on_strings() {
    check(&[
        (r#"title gt "Tour""#, true),
        (r#"title gt "tour guide""#, false),
        (r#"title ge "TOUR GUIDE""#, true),
        (r#"title le "tour guide""#, true),
        (r#"title lt "tour h""#, true),
        (r#"title lt "a""#, false),
        (r#"role gt "Z""#, true),
        (r#"role lt "Z""#, false),
    ]);
}

#[test]
fn ordering_on_numbers_and_booleans() {
    check(&[
        ("creditLimit gt 499", true),
        ("creditLimit gt 500", false),
        ("creditLimit ge 500", true),
        ("creditLimit lt 500.5", true),
        ("creditLimit le 500.0", true),
        ("creditLimit eq 500.0", true),
        ("creditLimit eq 5e2", true),
        ("creditLimit ne 500", false),
        ("creditsUsed lt -1", false),
        ("creditsUsed gt -1", true),
        (r#"creditLimit eq "500""#, false),
        ("active eq true", true),
        ("active eq TRUE", true),
        ("active ne false", true),
        ("active eq false", false),
        ("active gt false", false),
        ("active ge true", false),
        (r#"active eq "true""#, false),
        ("notifications.inApp eq false", true),
        ("notifications.email eq true", true),
    ]);
}

#[test]
fn binary_only_compares_for_equality() {
    check(&[
        (
            r#"x509Certificates.value eq "MIIDQzCCAqygAwIBAgICEAAwDQYJ""#,
            true,
        ),
        (
            r#"x509Certificates.value eq "miidqzccaqygawibagiceaawdqyj""#,
            false,
        ),
        (r#"x509Certificates.value sw "MIID""#, false),
        (r#"x509Certificates.value gt "A""#, false),
        ("x509Certificates pr", true),
    ]);
}

#[test]
fn date_times_compare_as_instants() {
    check(&[
        // lastModified is 2024-05-13T02:42:34.5Z.
        (r#"meta.lastModified gt "2024-05-13T02:42:34Z""#, true),
        (r#"meta.lastModified eq "2024-05-13T02:42:34.500Z""#, true),
        (
            r#"meta.lastModified eq "2024-05-13T04:42:34.5+02:00""#,
            true,
        ),
        (
            r#"meta.lastModified eq "2024-05-12T21:42:34.5-05:00""#,
            true,
        ),
        (r#"meta.lastModified lt "2024-05-13T02:42:34.6Z""#, true),
        (r#"meta.lastModified ge "2024-05-13T02:42:34.6Z""#, false),
        (r#"meta.lastModified ne "2024-05-13T02:42:34.5Z""#, false),
        (r#"meta.created lt "2024-01-23T05:56:22+01:00""#, false),
        (r#"meta.created le "2024-01-23T05:56:22+01:00""#, true),
        (r#"meta.created ge "2024-01-23T05:56:22+01:00""#, true),
        // As text "09:30+02:00" sorts after "08:00Z"; as time it is 07:30Z.
        (r#"lastActive gt "2024-05-13T08:00:00Z""#, false),
        (r#"lastActive lt "2024-05-13T08:00:00Z""#, true),
        (r#"lastActive gt "2024-05-13T07:29:59.999Z""#, true),
        (r#"lastActive gt "yesterday""#, false),
        (r#"lastActive eq "yesterday""#, false),
    ]);
}

#[test]
fn multi_valued_attributes_match_any_value() {
    check(&[
        (r#"emails.type eq "home""#, true),
        (r#"emails.type eq "other""#, false),
        (r#"emails.type ne "work""#, true),
        (r#"emails.value ew "JENSEN.ORG""#, true),
        (r#"emails co "jensen.org""#, true),
        (r#"emails eq "babs@jensen.org""#, true),
        (r#"emails sw "nobody""#, false),
        ("emails.primary eq true", true),
        ("emails pr", true),
        ("emails.display pr", false),
        ("emails eq null", false),
        (r#"permissions eq "crm:export""#, true),
        (r#"permissions eq "CRM:export""#, false),
        (r#"departments sw "sup""#, true),
        ("allowedIps pr", false),
        ("allowedIps eq null", true),
        (r#"allowedIps ne "10.0.0.0/8""#, false),
        (r#"phoneNumbers.type ne "work""#, false),
        (r#"name eq "Barbara""#, false),
        ("name pr", true),
        ("invitation pr", false),
    ]);
}

#[test]
fn logical_operators() {
    check(&[
        (r#"title pr and userType eq "Employee""#, true),
        (r#"title pr and userType eq "Intern""#, false),
        (r#"timezone pr or userType eq "Employee""#, true),
        (r#"timezone pr or userType eq "Intern""#, false),
        ("not (timezone pr)", true),
        ("not (title pr)", false),
        (
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            false,
        ),
        (
            r#"userType eq "Employee" and not (emails co "example.net")"#,
            true,
        ),
        (r#"timezone pr and title pr or active eq true"#, true),
        (r#"timezone pr and (title pr or active eq true)"#, false),
    ]);
}

#[test]
fn value_paths_match_within_one_element() {
    check(&[
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            true,
        ),
        (
            r#"emails[type eq "home" and value co "@example.com"]"#,
            false,
        ),
        // Without the brackets the two conditions may hold in different elements.
        (
            r#"emails.type eq "home" and emails.value co "@example.com""#,
            true,
        ),
        (r#"emails[type eq "home" or primary eq true]"#, true),
        (r#"emails[not (type eq "work")]"#, true),
        (r#"emails[display pr]"#, false),
        (r#"emails[nonsense pr]"#, false),
        (r#"EMAILS[TYPE EQ "WORK"]"#, true),
        (r#"applications[value eq "crm" and mode eq "custom"]"#, true),
        (
            r#"applications[value eq "billing" and mode eq "custom"]"#,
            false,
        ),
        (
            r#"urn:roster:params:scim:schemas:extension:roster:2.0:User:applications[mode eq "all"]"#,
            true,
        ),
        (r#"permissions[value sw "crm:"]"#, true),
        (r#"permissions[value eq "billing:pay"]"#, false),
        (r#"name[givenName eq "barbara"]"#, true),
        (r#"groups[value pr]"#, false),
        (r#"nonsense[value pr]"#, false),
    ]);
}

#[test]
fn qualified_unqualified_and_case_insensitive_names() {
    check(&[
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen""#,
            true,
        ),
        (
            r#"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:NAME.FAMILYNAME eq "jensen""#,
            true,
        ),
        ("urn:ietf:params:scim:schemas:core:2.0:User:id pr", true),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:meta.version pr",
            true,
        ),
        (
            r#"urn:roster:params:scim:schemas:extension:roster:2.0:User:role eq "manager""#,
            true,
        ),
        (
            r#"urn:roster:params:scim:schemas:extension:roster:2.0:user:ROLE eq "manager""#,
            true,
        ),
        (
            "urn:roster:params:scim:schemas:extension:roster:2.0:User:userName pr",
            false,
        ),
        (
            "urn:roster:params:scim:schemas:extension:roster:2.0:User:id pr",
            false,
        ),
        ("urn:ietf:params:scim:schemas:core:2.0:User:role pr", false),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber pr",
            false,
        ),
        (r#"USERNAME eq "bjensen@example.com""#, true),
        (r#"Name.FamilyName eq "Jensen""#, true),
        (r#"STATUS eq "active""#, true),
        (r#"notifications.DIGEST eq "weekly""#, true),
        ("unknown pr", false),
        (r#"unknown eq "x""#, false),
        (r#"unknown ne "x""#, false),
        ("unknown eq null", false),
        ("not (unknown pr)", true),
        ("name.unknown pr", false),
        ("title.sub pr", false),
    ]);
}

#[test]
fn json_keys_are_found_ignoring_case() {
    let schema = user_schema();
    let user = json!({
        "USERNAME": "alice",
        "Name": {"GIVENNAME": "Alice"},
        "Emails": [{"Value": "alice@example.com", "TYPE": "work"}],
        "urn:roster:params:scim:schemas:extension:roster:2.0:user": {"Role": "admin"}
    });
    for text in [
        r#"userName eq "alice""#,
        r#"name.givenName eq "alice""#,
        r#"emails[type eq "work"]"#,
        r#"emails.value co "@example""#,
        r#"role eq "admin""#,
        r#"urn:roster:params:scim:schemas:extension:roster:2.0:User:role eq "admin""#,
    ] {
        assert!(
            parse(text).matches(&user, &schema),
            "{text} should match whatever the key case"
        );
    }
}

#[test]
fn malformed_resources_do_not_panic() {
    let schema = user_schema();
    for resource in [
        json!(null),
        json!([]),
        json!("text"),
        json!({"emails": "not-a-list", "name": "flat", "active": "yes", "creditLimit": "5"}),
        json!({"emails": [1, null, "x", {"value": 5}], urn::ROSTER_USER: "oops"}),
    ] {
        for text in [
            "emails pr",
            r#"emails co "x""#,
            r#"emails[type eq "work"]"#,
            "name.givenName pr",
            "active eq true",
            "creditLimit gt 1",
            r#"role eq "admin""#,
        ] {
            let _ = parse(text).matches(&resource, &schema);
        }
    }
    let flat = json!({"emails": "a@example.com", "active": "yes"});
    assert!(
        !parse(r#"emails eq "a@example.com""#).matches(&flat, &schema),
        "a complex attribute written as a bare string has no value part to compare"
    );
    assert!(
        !parse("active eq true").matches(&flat, &schema),
        "a string is not a boolean"
    );
}

#[test]
fn groups_filter_on_members() {
    let schema = ResourceSchema::group();
    let group = json!({
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": [
            {"value": "2819c223-7f76-453a-919d-413861904646", "type": "User", "display": "Babs Jensen"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a", "type": "Group"}
        ]
    });
    for (text, expected) in [
        (r#"displayName eq "tour guides""#, true),
        (
            r#"members[value eq "902c246b-6245-4190-8e05-00816be7344a" and type eq "Group"]"#,
            true,
        ),
        (
            r#"members[value eq "902c246b-6245-4190-8e05-00816be7344a" and type eq "User"]"#,
            false,
        ),
        (r#"members.display co "babs""#, true),
        (r#"members eq "2819c223-7f76-453a-919d-413861904646""#, true),
        (r#"userName pr"#, false),
    ] {
        assert_eq!(parse(text).matches(&group, &schema), expected, "{text}");
    }
}

#[test]
fn matches_element_selects_patch_targets() {
    let schema = user_schema();
    let emails = schema.core.attribute("emails").unwrap();
    let user = barbara();
    let filter = parse_patch_path(r#"emails[type eq "home" or primary eq true]"#)
        .unwrap()
        .value_filter
        .unwrap();
    let selected: Vec<&str> = user["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| matches_element(&filter, e, emails))
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(selected, ["bjensen@example.com", "babs@jensen.org"]);

    let only_home = parse(r#"type eq "HOME""#);
    assert!(matches_element(&only_home, &user["emails"][1], emails));
    assert!(!matches_element(&only_home, &user["emails"][0], emails));
    assert!(
        !matches_element(&parse("type.x pr"), &user["emails"][1], emails),
        "sub-attributes have no parts"
    );

    let permissions = schema
        .extension(urn::ROSTER_USER)
        .unwrap()
        .attribute("permissions")
        .unwrap();
    assert!(matches_element(
        &parse(r#"value eq "crm:read""#),
        &json!("crm:read"),
        permissions
    ));
    assert!(
        !matches_element(
            &parse(r#"value eq "CRM:READ""#),
            &json!("crm:read"),
            permissions
        ),
        "caseExact"
    );
    assert!(!matches_element(
        &parse(r#"type eq "crm:read""#),
        &json!("crm:read"),
        permissions
    ));
}
