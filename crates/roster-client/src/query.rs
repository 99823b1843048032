//! The SCIM list queries behind a users window: the tab and search filters
//! (built as syntax trees, so user input is always escaped by
//! [`CompValue::String`]'s `Display`), the sort attribute and the
//! attributes a row needs.

use roster_scim::urn;
use roster_scim::{AttrPath, CompValue, CompareOp, Filter};

use crate::error::{ClientError, ClientResult};
use crate::model::{SortKey, Tab};

/// More words than this make a filter servers refuse (the reference server
/// allows 200 comparisons; each word costs five).
pub const MAX_SEARCH_WORDS: usize = 30;

pub fn core_path(attr: &str, sub_attr: Option<&str>) -> AttrPath {
    AttrPath {
        urn: None,
        attr: attr.to_owned(),
        sub_attr: sub_attr.map(str::to_owned),
    }
}

/// A path into the Roster extension, fully qualified.
pub fn ext_path(attr: &str) -> AttrPath {
    AttrPath {
        urn: Some(urn::ROSTER_USER.to_owned()),
        attr: attr.to_owned(),
        sub_attr: None,
    }
}

fn and(left: Filter, right: Filter) -> Filter {
    Filter::And(Box::new(left), Box::new(right))
}

fn or(left: Filter, right: Filter) -> Filter {
    Filter::Or(Box::new(left), Box::new(right))
}

/// What a tab asks the server for.
#[derive(Debug, Clone, PartialEq)]
pub enum TabQuery {
    /// The tab cannot have users on this server (Pending without the
    /// extension): no request at all.
    Empty,
    Filter(Filter),
}

pub fn tab_query(tab: Tab, roster_extension: bool) -> TabQuery {
    if roster_extension {
        let status = match tab {
            Tab::Active => "active",
            Tab::Pending => "pending",
            Tab::Archived => "archived",
        };
        return TabQuery::Filter(Filter::Compare(
            ext_path("status"),
            CompareOp::Eq,
            CompValue::String(status.to_owned()),
        ));
    }
    // RFC 7643 gives `active` no default and a user without it can sign in
    // (as rows show it): the Active tab is "not archived", `active ne false`,
    // which matches an absent `active` where `active eq true` does not.
    let op = match tab {
        Tab::Active => CompareOp::Ne,
        Tab::Archived => CompareOp::Eq,
        Tab::Pending => return TabQuery::Empty,
    };
    TabQuery::Filter(Filter::Compare(
        core_path("active", None),
        op,
        CompValue::Bool(false),
    ))
}

/// Every word must appear in a name or an e-mail address; `None` when the
/// search is empty.
pub fn search_filter(search: &str) -> ClientResult<Option<Filter>> {
    let mut words: Vec<&str> = Vec::new();
    for word in search.split_whitespace() {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.len() > MAX_SEARCH_WORDS {
        return Err(ClientError::Validation(format!(
            "Search for at most {MAX_SEARCH_WORDS} words at a time."
        )));
    }
    let fields = [
        core_path("name", Some("givenName")),
        core_path("name", Some("familyName")),
        core_path("displayName", None),
        core_path("userName", None),
        core_path("emails", Some("value")),
    ];
    let per_word = words.iter().map(|word| {
        fields
            .iter()
            .map(|field| {
                Filter::Compare(
                    field.clone(),
                    CompareOp::Co,
                    CompValue::String((*word).to_owned()),
                )
            })
            .reduce(or)
            .expect("there are search fields")
    });
    Ok(per_word.reduce(and))
}

/// What narrows every tab: the search's words and, on servers with the
/// Roster extension, one department (`departments` is not case-exact, so
/// servers compare it ignoring case). None when nothing narrows.
pub fn narrowing(
    search: &str,
    department: Option<&str>,
    roster_extension: bool,
) -> ClientResult<Option<Filter>> {
    let search = search_filter(search)?;
    let department = department
        .map(str::trim)
        .filter(|d| roster_extension && !d.is_empty())
        .map(|d| {
            Filter::Compare(
                ext_path("departments"),
                CompareOp::Eq,
                CompValue::String(d.to_owned()),
            )
        });
    Ok(match (search, department) {
        (Some(s), Some(d)) => Some(and(d, s)),
        (s, d) => s.or(d),
    })
}

/// `tab and search`, when there is a search.
pub fn combine(tab: Filter, search: Option<&Filter>) -> Filter {
    match search {
        Some(search) => and(tab, search.clone()),
        None => tab,
    }
}

/// The attribute to sort by. Role and last activity exist only in the
/// Roster extension; elsewhere they sort by name.
pub fn sort_path(key: SortKey, roster_extension: bool) -> AttrPath {
    match key {
        SortKey::Email => core_path("userName", None),
        SortKey::Role if roster_extension => ext_path("role"),
        SortKey::LastActive if roster_extension => ext_path("lastActive"),
        SortKey::Name | SortKey::Role | SortKey::LastActive => {
            core_path("name", Some("familyName"))
        }
    }
}

/// The attributes a row of the Users table shows. The extension's status,
/// lastActive and invitation are returned only when named.
pub fn row_attributes(roster_extension: bool) -> String {
    let mut names: Vec<String> = [
        "id",
        "userName",
        "name",
        "displayName",
        "emails",
        "active",
        "roles",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    if roster_extension {
        for attr in ["role", "departments", "status", "lastActive", "invitation"] {
            names.push(ext_path(attr).to_string());
        }
    }
    names.join(",")
}

/// The attributes of the user panel: everything returned by default, plus
/// the extension's attributes returned only on request.
pub fn detail_attributes(roster_extension: bool) -> Option<String> {
    if !roster_extension {
        // Plain SCIM servers may not understand schema URNs here; their
        // default attributes are all the panel can show anyway.
        return None;
    }
    Some(roster_scim::schema::whole_user_attributes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_scim::filter::parse_filter;

    #[test]
    fn tabs_use_status_with_the_extension_and_active_without() {
        let TabQuery::Filter(f) = tab_query(Tab::Pending, true) else {
            panic!("pending exists with the extension")
        };
        assert_eq!(
            f.to_string(),
            format!("{}:status eq \"pending\"", urn::ROSTER_USER)
        );
        let TabQuery::Filter(f) = tab_query(Tab::Archived, false) else {
            panic!("archived exists without the extension")
        };
        assert_eq!(f.to_string(), "active eq false");
        let TabQuery::Filter(f) = tab_query(Tab::Active, false) else {
            panic!("active exists without the extension")
        };
        assert_eq!(
            f.to_string(),
            "active ne false",
            "a user without `active` is active"
        );
        assert_eq!(tab_query(Tab::Pending, false), TabQuery::Empty);
    }

    #[test]
    fn search_words_must_each_match_a_name_or_email() {
        assert_eq!(search_filter("").unwrap(), None);
        assert_eq!(search_filter("  \t ").unwrap(), None);
        let f = search_filter("zoe  ash").unwrap().unwrap();
        let text = f.to_string();
        assert_eq!(
            text,
            "(name.givenName co \"zoe\" or name.familyName co \"zoe\" or displayName co \"zoe\" or userName co \"zoe\" or emails.value co \"zoe\") and (name.givenName co \"ash\" or name.familyName co \"ash\" or displayName co \"ash\" or userName co \"ash\" or emails.value co \"ash\")"
        );
        assert_eq!(
            parse_filter(&text).unwrap(),
            f,
            "the text parses back to the same tree"
        );
    }

    #[test]
    fn a_department_narrows_with_the_search_only_with_the_extension() {
        let dept = format!("{}:departments eq \"Sales \\\"East\\\"\"", urn::ROSTER_USER);
        let f = narrowing("", Some(" Sales \"East\" "), true)
            .unwrap()
            .unwrap();
        assert_eq!(f.to_string(), dept);
        assert_eq!(parse_filter(&f.to_string()).unwrap(), f);
        let both = narrowing("zoe", Some("Sales \"East\""), true)
            .unwrap()
            .unwrap();
        assert!(
            both.to_string().starts_with(&format!("{dept} and ")),
            "{both}"
        );
        assert_eq!(narrowing("", Some("  "), true).unwrap(), None);
        assert_eq!(narrowing("", None, true).unwrap(), None);
        // Plain SCIM servers have no departments: only the search narrows.
        assert_eq!(
            narrowing("zoe", Some("Sales"), false).unwrap(),
            search_filter("zoe").unwrap()
        );
    }

    #[test]
    fn search_input_is_escaped_not_spliced() {
        let evil = r#"x" or userName pr or "a\"#;
        let f = search_filter(evil).unwrap().unwrap();
        let parsed = parse_filter(&f.to_string()).unwrap();
        assert_eq!(
            parsed, f,
            "quotes and backslashes stay inside the string values"
        );
    }

    #[test]
    fn too_many_words_are_refused() {
        let many = vec!["w"; MAX_SEARCH_WORDS + 1]
            .iter()
            .enumerate()
            .map(|(i, w)| format!("{w}{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(matches!(
            search_filter(&many),
            Err(ClientError::Validation(_))
        ));
    }

    #[test]
    fn extension_sort_keys_fall_back_to_name() {
        assert_eq!(
            sort_path(SortKey::Role, false).to_string(),
            "name.familyName"
        );
        assert_eq!(
            sort_path(SortKey::LastActive, true).to_string(),
            format!("{}:lastActive", urn::ROSTER_USER)
        );
        assert_eq!(sort_path(SortKey::Email, false).to_string(), "userName");
    }
}
