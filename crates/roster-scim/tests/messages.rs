//! Serde forms of the SCIM protocol messages.

use roster_scim::messages::{
    ErrorBody, ListResponse, PatchOpKind, PatchOperation, PatchRequest, ScimType, SearchRequest,
    SortOrder,
};
use serde_json::{json, Value};

#[test]
fn scim_type_serialises_as_the_rfc_keyword() {
    let all = [
        (ScimType::InvalidFilter, "invalidFilter"),
        (ScimType::TooMany, "tooMany"),
        (ScimType::Uniqueness, "uniqueness"),
        (ScimType::Mutability, "mutability"),
        (ScimType::InvalidSyntax, "invalidSyntax"),
        (ScimType::InvalidPath, "invalidPath"),
        (ScimType::NoTarget, "noTarget"),
        (ScimType::InvalidValue, "invalidValue"),
        (ScimType::InvalidVers, "invalidVers"),
        (ScimType::Sensitive, "sensitive"),
    ];
    for (kind, text) in all {
        assert_eq!(kind.as_str(), text, "as_str of {kind:?}");
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            json!(text),
            "serde of {kind:?}"
        );
        let back: ScimType = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(back, kind, "{text} must read back as {kind:?}");
    }
}

#[test]
fn error_body_writes_status_as_a_string() {
    let body = ErrorBody::new(400, ScimType::InvalidFilter, "bad filter".to_owned());
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400",
            "scimType": "invalidFilter",
            "detail": "bad filter"
        })
    );
}

#[test]
fn error_body_without_scim_type_or_detail_omits_them() {
    let body = ErrorBody::new(404, None, None);
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404"})
    );
}

#[test]
fn error_body_reads_status_given_as_a_number() {
    let body: ErrorBody = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": 409,
        "scimType": "uniqueness",
        "detail": "taken"
    }))
    .unwrap();
    assert_eq!(body.status, "409");
    assert_eq!(body.status_code(), Some(409));
    assert_eq!(body.scim_type, Some(ScimType::Uniqueness));
}

#[test]
fn error_body_round_trips() {
    let body = ErrorBody::new(
        400,
        Some(ScimType::NoTarget),
        Some("nothing matched".to_owned()),
    );
    let text = serde_json::to_string(&body).unwrap();
    let back: ErrorBody = serde_json::from_str(&text).unwrap();
    assert_eq!(back, body);
}

#[test]
fn error_body_without_schemas_still_reads() {
    let body: ErrorBody = serde_json::from_value(json!({"status": "500"})).unwrap();
    assert_eq!(body, ErrorBody::new(500, None, None));
}

#[test]
fn list_response_uses_the_rfc_member_names() {
    let list = ListResponse::new(vec![json!({"id": "1"})], 7, 3);
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 7,
            "startIndex": 3,
            "itemsPerPage": 1,
            "Resources": [{"id": "1"}]
        })
    );
}

#[test]
fn list_response_round_trips() {
    let list = ListResponse::new(vec![json!({"id": "a"}), json!({"id": "b"})], 2, 1);
    let back: ListResponse<Value> =
        serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
    assert_eq!(back, list);
}

#[test]
fn list_response_without_resources_reads_as_empty() {
    let list: ListResponse<Value> = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "startIndex": 1,
        "itemsPerPage": 0
    }))
    .unwrap();
    assert!(list.resources.is_empty(), "Resources defaults to empty");
    assert_eq!(list.total_results, 0);
}

#[test]
fn list_response_fills_in_paging_members_a_server_left_out() {
    let list: ListResponse<Value> = serde_json::from_value(json!({
        "totalResults": 10,
        "Resources": [{"id": "1"}, {"id": "2"}]
    }))
    .unwrap();
    assert_eq!(
        (list.total_results, list.start_index, list.items_per_page),
        (10, 1, 2),
        "startIndex defaults to 1, itemsPerPage to the page's size"
    );
}

#[test]
fn patch_request_round_trips_with_lowercase_ops() {
    let request = PatchRequest::new(vec![
        PatchOperation::new(
            PatchOpKind::Add,
            Some("emails"),
            Some(json!([{"value": "a@b.c"}])),
        ),
        PatchOperation::new(PatchOpKind::Replace, None, Some(json!({"active": false}))),
        PatchOperation::new(PatchOpKind::Remove, Some("nickName"), None),
    ]);
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "path": "emails", "value": [{"value": "a@b.c"}]},
                {"op": "replace", "value": {"active": false}},
                {"op": "remove", "path": "nickName"}
            ]
        })
    );
    let back: PatchRequest = serde_json::from_value(value).unwrap();
    assert_eq!(back, request);
}

#[test]
fn patch_op_reads_any_case() {
    for (text, kind) in [
        ("add", PatchOpKind::Add),
        ("Add", PatchOpKind::Add),
        ("replace", PatchOpKind::Replace),
        ("Replace", PatchOpKind::Replace),
        ("REMOVE", PatchOpKind::Remove),
    ] {
        let op: PatchOperation = serde_json::from_value(json!({"op": text, "path": "x"})).unwrap();
        assert_eq!(op.op, kind, "op {text:?}");
        assert_eq!(
            serde_json::to_value(&op).unwrap()["op"],
            json!(kind.as_str()),
            "written in lower case"
        );
    }
}

#[test]
fn patch_op_rejects_unknown_ops() {
    let err = serde_json::from_value::<PatchOperation>(json!({"op": "move", "path": "x"}))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("unknown PATCH op 'move'"),
        "says which op: {err}"
    );
}

#[test]
fn patch_value_null_is_kept_apart_from_a_missing_value() {
    let with_null: PatchOperation =
        serde_json::from_value(json!({"op": "add", "path": "nickName", "value": null})).unwrap();
    let without: PatchOperation =
        serde_json::from_value(json!({"op": "add", "path": "nickName"})).unwrap();
    assert_eq!(with_null.value, Some(Value::Null));
    assert_eq!(without.value, None);
}

#[test]
fn azure_ad_patch_request_reads() {
    let request: PatchRequest = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
    }))
    .unwrap();
    assert_eq!(request.operations[0].op, PatchOpKind::Replace);
    assert_eq!(request.operations[0].path.as_deref(), Some("active"));
}

#[test]
fn search_request_reads_every_member() {
    let request: SearchRequest = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["displayName", "userName"],
        "excludedAttributes": ["emails"],
        "filter": "displayName sw \"smith\"",
        "sortBy": "userName",
        "sortOrder": "descending",
        "startIndex": 1,
        "count": 10
    }))
    .unwrap();
    assert_eq!(
        request,
        SearchRequest {
            attributes: vec!["displayName".into(), "userName".into()],
            excluded_attributes: vec!["emails".into()],
            filter: Some("displayName sw \"smith\"".into()),
            sort_by: Some("userName".into()),
            sort_order: Some(SortOrder::Descending),
            start_index: Some(1),
            count: Some(10),
            ..SearchRequest::default()
        }
    );
}

#[test]
fn search_request_splits_comma_separated_attributes() {
    let request: SearchRequest = serde_json::from_value(json!({
        "attributes": "userName, name.familyName",
        "excludedAttributes": ["emails,phoneNumbers", " meta "]
    }))
    .unwrap();
    assert_eq!(request.attributes, vec!["userName", "name.familyName"]);
    assert_eq!(
        request.excluded_attributes,
        vec!["emails", "phoneNumbers", "meta"]
    );
}

#[test]
fn empty_search_request_reads_and_writes_only_schemas() {
    let request: SearchRequest = serde_json::from_value(json!({})).unwrap();
    assert_eq!(request, SearchRequest::default());
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]})
    );
}

#[test]
fn search_request_round_trips_in_camel_case() {
    let request = SearchRequest {
        attributes: vec!["userName".into()],
        excluded_attributes: vec!["emails".into()],
        filter: Some("userName eq \"a\"".into()),
        sort_by: Some("userName".into()),
        sort_order: Some(SortOrder::Ascending),
        start_index: Some(11),
        count: Some(5),
        ..SearchRequest::default()
    };
    let value = serde_json::to_value(&request).unwrap();
    assert_eq!(
        value,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
            "attributes": ["userName"],
            "excludedAttributes": ["emails"],
            "filter": "userName eq \"a\"",
            "sortBy": "userName",
            "sortOrder": "ascending",
            "startIndex": 11,
            "count": 5
        })
    );
    assert_eq!(
        serde_json::from_value::<SearchRequest>(value).unwrap(),
        request
    );
}

#[test]
fn sort_order_reads_any_case() {
    let request: SearchRequest =
        serde_json::from_value(json!({"sortOrder": "Descending"})).unwrap();
    assert_eq!(request.sort_order, Some(SortOrder::Descending));
}
