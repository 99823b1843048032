//! Listing and searching (RFC 7644 §3.4.2, §3.4.3), shared by Users and
//! Groups: query parameters, filter, sort, paging and projection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use roster_scim::filter::{parse_attr_path, parse_filter, AttrPath};
use roster_scim::messages::{split_attribute_list, ScimType, SearchRequest, SortOrder};
use roster_scim::schema::ResourceSchema;
use rusqlite::types::Value as SqlValue;

use crate::error::{ApiError, ApiResult};
use crate::sqlfilter::{compile, sort_by, Mapping};

/// The largest page served, advertised in ServiceProviderConfig.
pub const MAX_RESULTS: i64 = 1000;
/// The page size when a client does not ask for one.
pub const DEFAULT_COUNT: i64 = 100;

/// A list query after validation.
pub struct ListQuery {
    pub where_sql: String,
    pub params: Vec<SqlValue>,
    pub order_sql: String,
    /// 1-based.
    pub start_index: i64,
    pub count: i64,
    pub attributes: Vec<AttrPath>,
    pub excluded: Vec<AttrPath>,
}

/// Reads GET query parameters into a search request.
pub fn search_from_query(params: &HashMap<String, String>) -> ApiResult<SearchRequest> {
    let int = |name: &str| -> ApiResult<Option<i64>> {
        params
            .get(name)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid_value(format!(
                        "'{name}' must be a whole number, not \"{v}\"."
                    ))
                })
            })
            .transpose()
    };
    let sort_order = match params
        .get("sortOrder")
        .map(|s| s.trim().to_ascii_lowercase())
    {
        None => None,
        Some(s) if s == "ascending" => Some(SortOrder::Ascending),
        Some(s) if s == "descending" => Some(SortOrder::Descending),
        Some(s) => {
            return Err(ApiError::invalid_value(format!(
                "sortOrder must be 'ascending' or 'descending', not \"{s}\"."
            )))
        }
    };
    Ok(SearchRequest {
        attributes: params
            .get("attributes")
            .map(|a| split_attribute_list(a).collect())
            .unwrap_or_default(),
        excluded_attributes: params
            .get("excludedAttributes")
            .map(|a| split_attribute_list(a).collect())
            .unwrap_or_default(),
        filter: params.get("filter").cloned(),
        sort_by: params.get("sortBy").cloned(),
        sort_order,
        start_index: int("startIndex")?,
        count: int("count")?,
        ..SearchRequest::default()
    })
}

pub fn attr_paths(names: &[String], which: &str) -> ApiResult<Vec<AttrPath>> {
    names
        .iter()
        .map(|n| {
            parse_attr_path(n).map_err(|e| {
                ApiError::invalid_value(format!("'{n}' in {which} is not an attribute name: {e}."))
            })
        })
        .collect()
}

pub fn prepare(
    req: &SearchRequest,
    schema: &ResourceSchema,
    mapping: &dyn Mapping,
    default_order: &str,
) -> ApiResult<ListQuery> {
    let (where_sql, params) = match req.filter.as_deref().map(str::trim) {
        None | Some("") => ("1".to_string(), Vec::new()),
        Some(text) => {
            if text.chars().count() > 10_000 {
                return Err(ApiError::bad(
                    ScimType::InvalidFilter,
                    "The filter is longer than 10,000 characters; narrow the search.",
                ));
            }
            let filter = parse_filter(text).map_err(|e| {
                ApiError::bad(
                    ScimType::InvalidFilter,
                    format!("The filter is not valid: {e}."),
                )
            })?;
            let compiled = compile(&filter, schema, mapping)?;
            (compiled.sql, compiled.params)
        }
    };
    let direction = match req.sort_order.unwrap_or_default() {
        SortOrder::Ascending => "ASC",
        SortOrder::Descending => "DESC",
    };
    let order_sql = match req
        .sort_by
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(sort_text) => {
            let path = parse_attr_path(sort_text).map_err(|e| {
                ApiError::invalid_value(format!(
                    "sortBy \"{sort_text}\" is not an attribute name: {e}."
                ))
            })?;
            let sort = sort_by(&path, schema, mapping)?;
            // Resources without a value sort last either way; the row number
            // keeps pages stable between requests.
            let mut terms: Vec<String> = Vec::new();
            if sort.nullable {
                terms.push(format!("({}) IS NULL", sort.terms[0]));
            }
            terms.extend(sort.terms.iter().map(|t| format!("{t} {direction}")));
            terms.push(format!("t.seq {direction}"));
            terms.join(", ")
        }
        None => default_order.to_string(),
    };
    Ok(ListQuery {
        where_sql,
        params,
        order_sql,
        // RFC 7644 §3.4.2.4: below 1 means 1, a negative count means 0.
        start_index: req.start_index.unwrap_or(1).max(1),
        count: req.count.unwrap_or(DEFAULT_COUNT).clamp(0, MAX_RESULTS),
        attributes: attr_paths(&req.attributes, "attributes")?,
        excluded: attr_paths(&req.excluded_attributes, "excludedAttributes")?,
    })
}

/// A table listed by [`run`], aliased `t`; its JSON document may live in a
/// second table, joined as `d` only when a query needs it.
pub struct Table {
    pub name: &'static str,
    pub doc_join: Option<&'static str>,
    /// True when the table has a row in `row_versions` that its triggers
    /// keep (migration 0004), so that a [`RowCache`] may keep its rows.
    pub versioned: bool,
}

/// The order of a list without `sortBy` that a [`RowCache`] keeps.
pub const SEQ_ORDER: &str = "t.seq ASC";

/// The row numbers of whole tables in [`SEQ_ORDER`], kept between the pages
/// of a list while the set of rows stays the same: a page without a filter
/// or sort is then a slice of them, not a count of the table and a walk
/// past every earlier row (OFFSET), which grows with the page.
///
/// They are read in one statement with the table's version in
/// `row_versions`, which every insert, delete or renumbering of a row bumps
/// in its own transaction; a page uses them only while the version it reads
/// is the same, so they are never older than what the page would count.
#[derive(Default)]
pub struct RowCache {
    tables: Mutex<HashMap<&'static str, Kept>>,
}

/// A table's version and its row numbers at that version.
type Kept = (i64, Arc<[i64]>);

impl RowCache {
    /// The row numbers of `table` as the connection now sees them, or
    /// `None` when the table has no version to tell whether they changed.
    fn seqs(
        &self,
        conn: &rusqlite::Connection,
        table: &'static str,
    ) -> ApiResult<Option<Arc<[i64]>>> {
        use rusqlite::OptionalExtension;
        let version: Option<i64> = conn
            .prepare_cached("SELECT version FROM row_versions WHERE name = ?1")?
            .query_row([table], |r| r.get(0))
            .optional()?;
        let Some(version) = version else {
            return Ok(None);
        };
        let tables = || self.tables.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((kept, seqs)) = tables().get(table) {
            if *kept == version {
                return Ok(Some(seqs.clone()));
            }
        }
        // The version and the rows from one statement: one snapshot, even if
        // a write commits between this and the version read above.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT (SELECT version FROM row_versions WHERE name = ?1), t.seq \
             FROM {table} t ORDER BY {SEQ_ORDER}"
        ))?;
        let mut rows = stmt.query([table])?;
        let mut seqs = Vec::new();
        let mut read_version = None;
        while let Some(r) = rows.next()? {
            read_version = r.get(0)?;
            seqs.push(r.get::<_, i64>(1)?);
        }
        let seqs: Arc<[i64]> = seqs.into();
        // An empty table has no row to carry the version; it costs nothing
        // to read again.
        if let Some(read_version) = read_version {
            let mut tables = tables();
            let newer = tables
                .get(table)
                .is_none_or(|(kept, _)| *kept <= read_version);
            if newer {
                tables.insert(table, (read_version, seqs.clone()));
            }
        }
        Ok(Some(seqs))
    }
}

/// Counts and fetches one page: first the row numbers of the page (kept by
/// `cache` for a page without filter or sort, else read on the narrow
/// table, joining the documents only when the filter or sort reads them),
/// then those rows in full.
pub fn run<T>(
    conn: &rusqlite::Connection,
    table: &Table,
    cache: Option<&RowCache>,
    columns: &str,
    q: &ListQuery,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> ApiResult<(i64, Vec<T>)> {
    let kept = match cache {
        Some(cache) if table.versioned && q.where_sql == "1" && q.order_sql == SEQ_ORDER => {
            cache.seqs(conn, table.name)?
        }
        _ => None,
    };
    let (total, seqs) = match kept {
        Some(all) => {
            let total = all.len() as i64;
            let start = (q.start_index - 1).clamp(0, total) as usize;
            let end = (start + q.count.max(0) as usize).min(all.len());
            (total, all[start..end].to_vec())
        }
        None => counted_page(conn, table, q)?,
    };
    if seqs.is_empty() {
        return Ok((total, Vec::new()));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {columns}, t.seq FROM {} t {} WHERE t.seq IN (SELECT value FROM json_each(?1))",
        table.name,
        table.doc_join.unwrap_or("")
    ))?;
    let mut by_seq = std::collections::HashMap::with_capacity(seqs.len());
    let mut rows = stmt.query([serde_json::to_string(&seqs)?])?;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(r.as_ref().column_count() - 1)?;
        by_seq.insert(seq, row(r)?);
    }
    // In the order of the page; a row deleted in between is simply gone.
    Ok((
        total,
        seqs.iter().filter_map(|s| by_seq.remove(s)).collect(),
    ))
}

/// The total of a list and the row numbers of its page, counted and read
/// (on the narrow table, joining the documents only when the filter or
/// sort reads them).
fn counted_page(
    conn: &rusqlite::Connection,
    table: &Table,
    q: &ListQuery,
) -> ApiResult<(i64, Vec<i64>)> {
    let join_for = |sql: &str| match table.doc_join {
        Some(join) if sql.contains("d.data") => join,
        _ => "",
    };
    let from = table.name;
    let filter_join = join_for(&q.where_sql);
    // Without a filter, no WHERE at all: SQLite then counts the rows of an
    // index page by page rather than stepping through each of them.
    let filter_sql = match q.where_sql.as_str() {
        "1" => String::new(),
        sql => format!("WHERE {sql}"),
    };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM {from} t {filter_join} {filter_sql}"),
        rusqlite::params_from_iter(q.params.iter()),
        |r| r.get(0),
    )?;
    if q.count == 0 || q.start_index > total {
        return Ok((total, Vec::new()));
    }
    let page_join = join_for(&format!("{} {}", q.where_sql, q.order_sql));
    let mut stmt = conn.prepare(&format!(
        "SELECT t.seq FROM {from} t {page_join} WHERE {} ORDER BY {} LIMIT {} OFFSET {}",
        q.where_sql,
        q.order_sql,
        q.count,
        q.start_index - 1
    ))?;
    let seqs = stmt
        .query_map(rusqlite::params_from_iter(q.params.iter()), |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    Ok((total, seqs))
}

/// Splits a root search (`POST /.search`) page over the resource types in
/// order: given each type's total, which `(type index, startIndex, count)`
/// requests make up the page.
pub fn split_page(totals: &[i64], start_index: i64, count: i64) -> Vec<(usize, i64, i64)> {
    let mut out = Vec::new();
    let mut skip = start_index.max(1) - 1;
    let mut left = count.clamp(0, MAX_RESULTS);
    for (i, &total) in totals.iter().enumerate() {
        if left == 0 {
            break;
        }
        if skip >= total {
            skip -= total;
            continue;
        }
        let take = (total - skip).min(left);
        out.push((i, skip + 1, take));
        left -= take;
        skip = 0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::split_page;

    #[test]
    fn a_root_search_page_spans_resource_types_in_order() {
        assert_eq!(split_page(&[5, 3], 1, 10), vec![(0, 1, 5), (1, 1, 3)]);
        assert_eq!(split_page(&[5, 3], 4, 3), vec![(0, 4, 2), (1, 1, 1)]);
        assert_eq!(split_page(&[5, 3], 7, 10), vec![(1, 2, 2)]);
        assert_eq!(split_page(&[5, 3], 20, 10), vec![]);
        assert_eq!(split_page(&[5, 3], 1, 0), vec![]);
    }
}
