//! The Users table's windows: tabs, counts, search, sort and offsets, and
//! the user panel, against the real server's demo organisation.

mod common;

use common::{all_rows, ids, sorted, start, window};
use roster_client::model::{ErrorKind, SortKey, Status, Tab};
use roster_scim::text::fold;

#[tokio::test]
async fn tab_counts_add_up_to_every_user() {
    let server = start().await;
    let client = server.owner().await;
    let active = client
        .users_window(&window(Tab::Active, "", 0, 5))
        .await
        .unwrap();
    let c = active.counts;
    assert_eq!(
        c.active + c.pending + c.archived,
        server.users,
        "every user is in exactly one tab: {c:?}"
    );
    assert!(
        c.active > 0 && c.pending > 0 && c.archived > 0,
        "the demo fills every tab: {c:?}"
    );
    assert_eq!(
        active.total, c.active,
        "the window's total is its tab's count"
    );
    assert_eq!(active.rows.len(), 5);
    assert!(active.rows.iter().all(|r| r.status == Status::Active));

    for (tab, status, count) in [
        (Tab::Pending, Status::Pending, c.pending),
        (Tab::Archived, Status::Archived, c.archived),
    ] {
        let rows = all_rows(&client, tab).await;
        assert_eq!(
            rows.len() as u32,
            count,
            "{tab:?} lists as many rows as it counts"
        );
        assert!(
            rows.iter().all(|r| r.status == status),
            "{tab:?} holds only {status:?} users"
        );
    }
}

#[tokio::test]
async fn rows_carry_role_names_emails_and_activity() {
    let server = start().await;
    let client = server.owner().await;
    let rows = all_rows(&client, Tab::Active).await;
    assert!(rows
        .iter()
        .all(|r| r.email.contains('@') && !r.display_name.is_empty()));
    let owner = rows
        .iter()
        .find(|r| r.role.as_deref() == Some("owner"))
        .expect("the Owner is active");
    assert_eq!(
        owner.role_name.as_deref(),
        Some("Owner"),
        "the role's name comes from the catalogue"
    );
    assert!(
        rows.iter().any(|r| r.last_active.is_some()),
        "lastActive is returned only on request, and the client asks for it"
    );
    assert!(rows.iter().any(|r| !r.departments.is_empty()));
    let pending = all_rows(&client, Tab::Pending).await;
    assert!(
        pending.iter().any(|r| r.invitation_expired)
            && pending.iter().any(|r| !r.invitation_expired),
        "the demo has expired and live invitations, and the client reads both"
    );
}

#[tokio::test]
async fn search_ignores_case_and_accents() {
    let server = start().await;
    let client = server.owner().await;
    let rows = all_rows(&client, Tab::Active).await;
    // Someone whose family name loses its accents when folded, such as "Wiśniewski".
    let (person, family) = rows
        .iter()
        .find_map(|r| {
            let family = r.display_name.split_whitespace().last()?.to_owned();
            let folded = fold(&family);
            let accented = folded != family.to_lowercase();
            let latin = folded.len() >= 4 && folded.chars().all(|c| c.is_ascii_lowercase());
            (accented && latin).then_some((r, family))
        })
        .expect("the demo has people with accented Latin names");
    let fragment: String = fold(&family).chars().take(5).collect();
    let search = fragment.to_uppercase();
    let found = client
        .users_window(&window(Tab::Active, &search, 0, 1000))
        .await
        .unwrap();
    assert!(
        found.rows.iter().any(|r| r.id == person.id),
        "searching {search:?} finds {:?}",
        person.display_name
    );
    for row in &found.rows {
        assert!(
            fold(&row.display_name).contains(&fragment) || fold(&row.email).contains(&fragment),
            "{:?} <{}> does not match {search:?}",
            row.display_name,
            row.email
        );
    }
    assert!(found.total < server.users, "a search narrows the list");
    let c = found.counts;
    assert_eq!(found.total, c.active);

    // Two words must both match: the accented full name, typed without accents.
    let two_words = fold(&person.display_name);
    let found = client
        .users_window(&window(Tab::Active, &two_words, 0, 50))
        .await
        .unwrap();
    assert!(
        found.rows.iter().any(|r| r.id == person.id),
        "{two_words:?} finds its person"
    );

    let none = client
        .users_window(&window(Tab::Active, "zzqx-nobody-has-this", 0, 50))
        .await
        .unwrap();
    assert_eq!(none.total, 0);
    assert_eq!(
        none.counts.active + none.counts.pending + none.counts.archived,
        0
    );
    assert!(none.rows.is_empty());
}

#[tokio::test]
async fn an_empty_search_lists_everyone() {
    let server = start().await;
    let client = server.owner().await;
    let blank = client
        .users_window(&window(Tab::Active, "  \t ", 0, 5))
        .await
        .unwrap();
    let c = blank.counts;
    assert_eq!(
        c.active + c.pending + c.archived,
        server.users,
        "whitespace is no search"
    );
}

#[tokio::test]
async fn quotes_in_a_search_are_searched_for_not_obeyed() {
    let server = start().await;
    let client = server.owner().await;
    let found = client
        .users_window(&window(Tab::Active, r#"x" or userName pr or "y"#, 0, 10))
        .await
        .expect("odd characters are escaped, never a broken filter");
    assert_eq!(
        found.total, 0,
        "the words are text to find, not filter syntax"
    );
}

#[tokio::test]
async fn sorting_by_name_reverses_with_the_order() {
    let server = start().await;
    let client = server.owner().await;
    let ascending = client
        .users_window(&sorted(Tab::Active, SortKey::Name, false, 1000))
        .await
        .unwrap()
        .rows;
    let descending = client
        .users_window(&sorted(Tab::Active, SortKey::Name, true, 1000))
        .await
        .unwrap()
        .rows;
    assert_ne!(
        ascending[0].id, descending[0].id,
        "the order changes the first row"
    );
    let mut reversed = ids(&descending);
    reversed.reverse();
    assert_eq!(
        ids(&ascending),
        reversed,
        "descending is ascending backwards"
    );
}

#[tokio::test]
async fn sorting_by_email_and_role_orders_those_columns() {
    let server = start().await;
    let client = server.owner().await;
    let rows = client
        .users_window(&sorted(Tab::Active, SortKey::Email, false, 1000))
        .await
        .unwrap()
        .rows;
    let emails: Vec<String> = rows.iter().map(|r| r.email.to_lowercase()).collect();
    let mut expected = emails.clone();
    expected.sort();
    assert_eq!(emails, expected, "sorted by e-mail");

    let rows = client
        .users_window(&sorted(Tab::Active, SortKey::Role, true, 1000))
        .await
        .unwrap()
        .rows;
    let roles: Vec<String> = rows.iter().filter_map(|r| r.role.clone()).collect();
    let mut expected = roles.clone();
    expected.sort();
    expected.reverse();
    assert_eq!(roles, expected, "sorted by role, descending");
}

#[tokio::test]
async fn windows_with_offsets_are_slices_of_the_whole() {
    let server = start().await;
    let client = server.owner().await;
    let all = all_rows(&client, Tab::Active).await;
    let total = all.len() as u32;
    let middle = client
        .users_window(&window(Tab::Active, "", 10, 20))
        .await
        .unwrap();
    assert_eq!(middle.offset, 10);
    assert_eq!(middle.total, total);
    assert_eq!(ids(&middle.rows), ids(&all[10..30]));

    let tail = client
        .users_window(&window(Tab::Active, "", total - 5, 20))
        .await
        .unwrap();
    assert_eq!(
        ids(&tail.rows),
        ids(&all[all.len() - 5..]),
        "the last window is short"
    );

    let beyond = client
        .users_window(&window(Tab::Active, "", total + 10, 20))
        .await
        .unwrap();
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, total, "past the end still knows the total");

    let counts_only = client
        .users_window(&window(Tab::Active, "", 0, 0))
        .await
        .unwrap();
    assert!(counts_only.rows.is_empty());
    assert_eq!(counts_only.total, total);
}

#[tokio::test]
async fn get_user_shows_the_panel() {
    let server = start().await;
    let client = server.owner().await;
    let row = all_rows(&client, Tab::Active)
        .await
        .into_iter()
        .find(|r| r.last_active.is_some() && r.role.as_deref() != Some("owner"))
        .expect("an active user who signed in");
    let detail = client.get_user(&row.id).await.unwrap();
    assert_eq!(detail.id, row.id);
    assert_eq!(detail.email, row.email);
    assert_eq!(detail.status, Status::Active);
    assert_eq!(detail.role, row.role);
    assert_eq!(
        detail.last_active, row.last_active,
        "request-only lastActive is asked for"
    );
    assert!(
        detail
            .version
            .as_deref()
            .is_some_and(|v| v.starts_with("W/\"")),
        "the ETag is the version: {:?}",
        detail.version
    );
    assert!(!detail.given_name.is_empty() && !detail.family_name.is_empty());
    assert!(detail.created.is_some());
    assert!(
        detail.credits_used.is_some(),
        "request-only creditsUsed is asked for"
    );
    assert!(
        !detail.entitlements.is_empty(),
        "an active member holds something"
    );

    let pending = all_rows(&client, Tab::Pending).await;
    let detail = client.get_user(&pending[0].id).await.unwrap();
    assert_eq!(detail.status, Status::Pending);
    assert!(
        detail.invitation_expires_at.is_some(),
        "a pending user has an invitation"
    );

    let err = client
        .get_user("no-such-user")
        .await
        .expect_err("an unknown id");
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn a_role_without_user_access_is_forbidden() {
    let server = start().await;
    server.register_token("viewer-token", "viewer");
    let client = roster_client::Client::with_api_token(
        server.url.clone(),
        roster_client::Secret::new("viewer-token"),
    )
    .await
    .expect("a viewer token connects");
    let err = client
        .users_window(&window(Tab::Active, "", 0, 10))
        .await
        .expect_err("a viewer cannot list users");
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    assert!(err.message().contains("not allowed"), "{err}");
}
