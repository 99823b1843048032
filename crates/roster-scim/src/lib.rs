//! The SCIM 2.0 vocabulary shared by the Roster reference server and the
//! desktop client: schema definitions (RFC 7643), the filter and path
//! language (RFC 7644 §3.4.2.2, §3.5.2), PATCH and list messages.
//!
//! Server and client both use this crate so that they cannot drift apart.

pub mod filter;
pub mod messages;
pub mod patch;
pub mod projection;
pub mod schema;
pub mod text;

pub use filter::{AttrPath, CompValue, CompareOp, Filter, FilterError, PatchPath};

/// Schema URNs used by Roster.
pub mod urn {
    pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
    pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
    /// The Roster extension to User: status, role, permissions, credits …
    pub const ROSTER_USER: &str = "urn:roster:params:scim:schemas:extension:roster:2.0:User";
    pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
    pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
    pub const SERVICE_PROVIDER_CONFIG: &str =
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
    pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
    pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
}
