//! Discovery (RFC 7644 §4): ServiceProviderConfig, Schemas and
//! ResourceTypes, served without a token.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;

fn ids(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .expect("a list of resources")
        .iter()
        .map(|r| r["id"].as_str().expect("an id").to_string())
        .collect()
}

#[tokio::test]
async fn service_provider_config_describes_the_server() {
    let s = Server::new().anonymous();
    let reply = s.get("/scim/v2/ServiceProviderConfig").await;
    reply.expect(StatusCode::OK, "discovery needs no token");
    let c = &reply.body;
    assert_eq!(
        c["schemas"][0], "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
        "its schema"
    );
    assert_eq!(c["patch"]["supported"], true, "PATCH is supported");
    assert_eq!(c["filter"]["supported"], true, "filtering is supported");
    assert_eq!(
        c["filter"]["maxResults"], 1000,
        "at most 1000 results per page"
    );
    assert_eq!(c["sort"]["supported"], true, "sorting is supported");
    assert_eq!(c["etag"]["supported"], true, "ETags are supported");
    assert_eq!(c["bulk"]["supported"], false, "bulk is not");
    assert_eq!(
        c["changePassword"]["supported"], true,
        "password can be set"
    );
    let schemes = c["authenticationSchemes"]
        .as_array()
        .expect("authentication schemes");
    assert!(
        schemes.iter().any(|a| a["type"] == "oauthbearertoken"),
        "bearer tokens are advertised"
    );
    assert!(
        reply
            .header("content-type")
            .unwrap_or("")
            .starts_with(SCIM_JSON),
        "served as application/scim+json"
    );
}

#[tokio::test]
async fn schemas_lists_user_the_roster_extension_and_group() {
    let s = Server::new().anonymous();
    let reply = s.get("/scim/v2/Schemas").await;
    reply.expect(StatusCode::OK, "schemas need no token");
    let ids = ids(&reply.body);
    for urn in [CORE_USER, EXT, CORE_GROUP] {
        assert!(
            ids.contains(&urn.to_string()),
            "{urn} is published: {ids:?}"
        );
    }
    assert_eq!(
        reply.total() as usize,
        ids.len(),
        "totalResults counts them"
    );
}

#[tokio::test]
async fn each_schema_is_served_by_id() {
    let s = Server::new().anonymous();
    for urn in [CORE_USER, EXT, CORE_GROUP] {
        let reply = s.get(&format!("/scim/v2/Schemas/{urn}")).await;
        reply.expect(StatusCode::OK, &format!("/Schemas/{urn}"));
        assert_eq!(reply.body["id"], urn, "the schema asked for");
        assert!(
            reply.body["attributes"]
                .as_array()
                .is_some_and(|a| !a.is_empty()),
            "with its attributes"
        );
    }
}

#[tokio::test]
async fn the_extension_schema_describes_roster_attributes() {
    let s = Server::new().anonymous();
    let reply = s.get(&format!("/scim/v2/Schemas/{EXT}")).await;
    let attrs = reply.body["attributes"].as_array().expect("attributes");
    let find = |name: &str| {
        attrs
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} is described"))
    };
    assert_eq!(
        find("status")["mutability"],
        "readOnly",
        "the server sets status"
    );
    assert_eq!(
        find("role")["mutability"],
        "readWrite",
        "an admin sets the role"
    );
    let roles: Vec<&str> = find("role")["canonicalValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        roles.contains(&"admin") && roles.contains(&"viewer"),
        "roles are offered as canonical values: {roles:?}"
    );
    assert!(
        !roles.contains(&"owner"),
        "owner cannot be assigned, so it is not offered"
    );
    assert_eq!(
        find("creditLimit")["type"],
        "integer",
        "creditLimit is an integer"
    );
}

#[tokio::test]
async fn unknown_schema_is_404() {
    let s = Server::new().anonymous();
    s.get("/scim/v2/Schemas/urn:example:nothing")
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "no such schema");
}

#[tokio::test]
async fn resource_types_list_user_and_group() {
    let s = Server::new().anonymous();
    let reply = s.get("/scim/v2/ResourceTypes").await;
    reply.expect(StatusCode::OK, "resource types need no token");
    let mut ids = ids(&reply.body);
    ids.sort();
    assert_eq!(ids, ["Group", "User"], "two resource types");
}

#[tokio::test]
async fn the_user_resource_type_names_the_extension() {
    let s = Server::new().anonymous();
    let reply = s.get("/scim/v2/ResourceTypes/User").await;
    reply.expect(StatusCode::OK, "the User resource type");
    assert_eq!(reply.body["endpoint"], "/Users", "its endpoint");
    assert_eq!(reply.body["schema"], CORE_USER, "its core schema");
    let exts = reply.body["schemaExtensions"]
        .as_array()
        .expect("schemaExtensions");
    assert!(
        exts.iter().any(|e| e["schema"] == EXT),
        "the Roster extension is named: {exts:?}"
    );
    let group = s.get("/scim/v2/ResourceTypes/Group").await;
    group.expect(StatusCode::OK, "the Group resource type");
    assert_eq!(group.body["schema"], CORE_GROUP, "Group's schema");
    s.get("/scim/v2/ResourceTypes/Widget")
        .await
        .expect_scim_error(StatusCode::NOT_FOUND, None, "no such resource type");
}

#[tokio::test]
async fn discovery_locations_use_the_request_host() {
    let s = Server::new().anonymous();
    let reply = s.get("/scim/v2/ResourceTypes/User").await;
    assert_eq!(
        reply.body["meta"]["location"], "http://roster.test/scim/v2/ResourceTypes/User",
        "meta.location is built from the Host header"
    );
}
