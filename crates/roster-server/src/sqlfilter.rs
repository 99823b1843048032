//! Compiles a SCIM filter tree to an SQL condition with bound parameters.
//!
//! No text from the filter is ever spliced into SQL: attribute names are
//! resolved against the schema and become fixed column expressions or JSON
//! paths built from the schema's own names; every value is a parameter.
//! Each leaf yields 0 or 1 (never NULL), so `not` means what a person
//! expects: `not (title pr)` finds the users without a title.

use roster_scim::filter::{AttrPath, CompValue, CompareOp, Filter};
use roster_scim::messages::ScimType;
use roster_scim::schema::{AttrType, AttributeDef, Resolved, ResourceSchema};
use rusqlite::types::Value as SqlValue;

use crate::db::fold;
use crate::error::ApiError;

/// A server-managed value kept in a column instead of the JSON document.
pub struct Column {
    pub expr: &'static str,
    /// An equivalent expression already case-folded (an indexed key column).
    pub folded: Option<&'static str>,
}

/// A multi-valued attribute that lives in another table: an EXISTS over
/// `from_where` (which must reference the outer row as `t`).
pub struct Relation {
    pub from_where: &'static str,
    /// SQL for each sub-attribute, by canonical sub-attribute name.
    pub subs: &'static [(&'static str, &'static str)],
}

/// How a resource type stores what the schema describes.
pub trait Mapping {
    fn column(&self, resolved: &Resolved<'_>) -> Option<Column>;
    fn relation(&self, resolved: &Resolved<'_>) -> Option<Relation>;
    /// The SQL column holding the JSON document.
    fn doc(&self) -> &'static str {
        "t.data"
    }
}

pub struct Compiled {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

const MAX_LEAVES: usize = 200;

pub fn compile(
    filter: &Filter,
    schema: &ResourceSchema,
    mapping: &dyn Mapping,
) -> Result<Compiled, ApiError> {
    let mut c = Compiler {
        schema,
        mapping,
        params: Vec::new(),
        leaves: 0,
    };
    let sql = c.filter(filter)?;
    Ok(Compiled {
        sql,
        params: c.params,
    })
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::bad(ScimType::InvalidFilter, detail)
}

/// Quotes a JSON object key for an SQLite JSON path. Keys come from the
/// schema (never from the request), and may contain ':' and '.'.
fn json_key(key: &str) -> String {
    format!("\"{key}\"")
}

/// The JSON path of an attribute inside the stored document.
pub fn json_path(resolved: &Resolved<'_>) -> String {
    if resolved.in_extension {
        format!(
            "$.{}.{}",
            json_key(resolved.schema),
            json_key(&resolved.attr.name)
        )
    } else {
        format!("$.{}", json_key(&resolved.attr.name))
    }
}

struct Compiler<'a> {
    schema: &'a ResourceSchema,
    mapping: &'a dyn Mapping,
    params: Vec<SqlValue>,
    leaves: usize,
}

/// One value expression and what the schema says of it.
struct Leaf<'d> {
    expr: String,
    folded: Option<String>,
    def: &'d AttributeDef,
}

impl<'a> Compiler<'a> {
    fn param(&mut self, v: SqlValue) -> String {
        self.params.push(v);
        format!("?{}", self.params.len())
    }

    fn filter(&mut self, f: &Filter) -> Result<String, ApiError> {
        match f {
            Filter::And(a, b) => Ok(format!("({} AND {})", self.filter(a)?, self.filter(b)?)),
            Filter::Or(a, b) => Ok(format!("({} OR {})", self.filter(a)?, self.filter(b)?)),
            Filter::Not(a) => Ok(format!("(NOT {})", self.filter(a)?)),
            Filter::Present(path) => self.leaf(path, None),
            Filter::Compare(path, op, value) => self.leaf(path, Some((*op, value))),
            Filter::ValuePath(path, inner) => self.value_path(path, inner),
        }
    }

    fn resolve(&self, path: &AttrPath) -> Result<Resolved<'a>, ApiError> {
        self.schema.resolve(path).ok_or_else(|| {
            invalid(format!(
                "The filter names '{path}', which is not an attribute of this resource."
            ))
        })
    }

    fn count_leaf(&mut self) -> Result<(), ApiError> {
        self.leaves += 1;
        if self.leaves > MAX_LEAVES {
            return Err(ApiError::bad(
                ScimType::TooMany,
                format!("The filter has more than {MAX_LEAVES} comparisons; split it into smaller searches."),
            ));
        }
        Ok(())
    }

    fn leaf(
        &mut self,
        path: &AttrPath,
        cmp: Option<(CompareOp, &CompValue)>,
    ) -> Result<String, ApiError> {
        self.count_leaf()?;
        let resolved = self.resolve(path)?;
        let attr = resolved.attr;
        if let Some(rel) = self.mapping.relation(&resolved) {
            let sub = resolved
                .sub_attr
                .or_else(|| attr.sub("value"))
                .ok_or_else(|| invalid(format!("'{path}' cannot be compared directly.")))?;
            let sub_sql = rel
                .subs
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(&sub.name))
                .map(|(_, sql)| *sql)
                .ok_or_else(|| invalid(format!("'{path}' cannot be used in a filter.")))?;
            let cond = match cmp {
                None => format!("{sub_sql} IS NOT NULL"),
                Some((op, v)) => self.compare(
                    &Leaf {
                        expr: sub_sql.into(),
                        folded: None,
                        def: sub,
                    },
                    op,
                    v,
                    path,
                )?,
            };
            return Ok(format!(
                "EXISTS (SELECT 1 FROM {} AND {cond})",
                rel.from_where
            ));
        }
        if let Some(col) = self.mapping.column(&resolved) {
            let def = resolved.sub_attr.unwrap_or(attr);
            let leaf = Leaf {
                expr: col.expr.into(),
                folded: col.folded.map(Into::into),
                def,
            };
            return match cmp {
                None => Ok(present(&leaf.expr, def)),
                Some((op, v)) => self.compare(&leaf, op, v, path),
            };
        }
        let base = json_path(&resolved);
        let doc = self.mapping.doc();
        if attr.multi_valued {
            // Any element may match (RFC 7644 §3.4.2.2); a complex element
            // without a named sub-attribute compares its "value".
            let (elem_expr, def) = if attr.ty == AttrType::Complex {
                let sub = resolved
                    .sub_attr
                    .or_else(|| attr.sub("value"))
                    .ok_or_else(|| {
                        invalid(format!(
                            "Name a part of '{path}' to compare, such as {path}.value."
                        ))
                    })?;
                (
                    format!("json_extract(je.value, '$.{}')", json_key(&sub.name)),
                    sub,
                )
            } else {
                ("je.value".to_string(), attr)
            };
            let cond = match cmp {
                None if resolved.sub_attr.is_none() => {
                    return Ok(format!(
                        "(COALESCE(json_array_length({doc}, '{base}'), 0) > 0)"
                    ))
                }
                None => present(&elem_expr, def),
                Some((op, v)) => self.compare(
                    &Leaf {
                        expr: elem_expr,
                        folded: None,
                        def,
                    },
                    op,
                    v,
                    path,
                )?,
            };
            return Ok(format!(
                "EXISTS (SELECT 1 FROM json_each({doc}, '{base}') je WHERE {cond})"
            ));
        }
        let (expr, def) = match resolved.sub_attr {
            Some(sub) => (
                format!("json_extract({doc}, '{base}.{}')", json_key(&sub.name)),
                sub,
            ),
            None => (format!("json_extract({doc}, '{base}')"), attr),
        };
        match cmp {
            None if def.ty == AttrType::Complex => {
                Ok(format!("(json_type({doc}, '{base}') = 'object')"))
            }
            None => Ok(present(&expr, def)),
            Some((_, _)) if def.ty == AttrType::Complex => Err(invalid(format!(
                "'{path}' has several parts; compare one of them, such as {path}.{}.",
                def.sub_attributes
                    .first()
                    .map(|s| s.name.as_str())
                    .unwrap_or("value")
            ))),
            Some((op, v)) => self.compare(
                &Leaf {
                    expr,
                    folded: None,
                    def,
                },
                op,
                v,
                path,
            ),
        }
    }

    fn value_path(&mut self, path: &AttrPath, inner: &Filter) -> Result<String, ApiError> {
        let resolved = self.resolve(path)?;
        let attr = resolved.attr;
        if !(attr.multi_valued && attr.ty == AttrType::Complex) || resolved.sub_attr.is_some() {
            return Err(invalid(format!(
                "'{path}[...]' needs a multi-valued attribute with parts, such as emails[type eq \"work\"]."
            )));
        }
        if let Some(rel) = self.mapping.relation(&resolved) {
            let cond = self.element_filter(inner, attr, &|sub: &AttributeDef| {
                rel.subs
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&sub.name))
                    .map(|(_, sql)| sql.to_string())
            })?;
            return Ok(format!(
                "EXISTS (SELECT 1 FROM {} AND {cond})",
                rel.from_where
            ));
        }
        let base = json_path(&resolved);
        let doc = self.mapping.doc();
        let cond = self.element_filter(inner, attr, &|sub: &AttributeDef| {
            Some(format!(
                "json_extract(je.value, '$.{}')",
                json_key(&sub.name)
            ))
        })?;
        Ok(format!(
            "EXISTS (SELECT 1 FROM json_each({doc}, '{base}') je WHERE {cond})"
        ))
    }

    /// The inside of a value path: paths name sub-attributes of `parent`.
    fn element_filter(
        &mut self,
        f: &Filter,
        parent: &AttributeDef,
        expr_of: &dyn Fn(&AttributeDef) -> Option<String>,
    ) -> Result<String, ApiError> {
        match f {
            Filter::And(a, b) => Ok(format!(
                "({} AND {})",
                self.element_filter(a, parent, expr_of)?,
                self.element_filter(b, parent, expr_of)?
            )),
            Filter::Or(a, b) => Ok(format!(
                "({} OR {})",
                self.element_filter(a, parent, expr_of)?,
                self.element_filter(b, parent, expr_of)?
            )),
            Filter::Not(a) => Ok(format!(
                "(NOT {})",
                self.element_filter(a, parent, expr_of)?
            )),
            Filter::ValuePath(p, _) => Err(invalid(format!(
                "'{p}[...]' is inside another [...]; SCIM filters cannot nest them."
            ))),
            Filter::Present(p) | Filter::Compare(p, _, _) => {
                self.count_leaf()?;
                let sub = parent
                    .sub(&p.attr)
                    .filter(|_| p.sub_attr.is_none())
                    .ok_or_else(|| {
                        invalid(format!("'{}' has no part named '{p}'.", parent.name))
                    })?;
                let expr = expr_of(sub).ok_or_else(|| {
                    invalid(format!(
                        "'{}.{}' cannot be used in a filter.",
                        parent.name, sub.name
                    ))
                })?;
                match f {
                    Filter::Compare(_, op, v) => self.compare(
                        &Leaf {
                            expr,
                            folded: None,
                            def: sub,
                        },
                        *op,
                        v,
                        p,
                    ),
                    _ => Ok(present(&expr, sub)),
                }
            }
        }
    }

    fn compare(
        &mut self,
        leaf: &Leaf<'_>,
        op: CompareOp,
        value: &CompValue,
        path: &AttrPath,
    ) -> Result<String, ApiError> {
        let def = leaf.def;
        let e = &leaf.expr;
        if let CompValue::Null = value {
            return match op {
                CompareOp::Eq => Ok(format!("(NOT {})", present(e, def))),
                CompareOp::Ne => Ok(present(e, def)),
                _ => Err(invalid(format!(
                    "'{path}' can only be compared with null using eq or ne."
                ))),
            };
        }
        match def.ty {
            AttrType::Boolean => {
                let CompValue::Bool(b) = value else {
                    return Err(invalid(format!(
                        "'{path}' is true or false; write for example {path} eq true."
                    )));
                };
                let p = self.param(SqlValue::Integer(*b as i64));
                match op {
                    CompareOp::Eq => Ok(format!("COALESCE({e} = {p}, 0)")),
                    CompareOp::Ne => Ok(format!("COALESCE({e} <> {p}, 1)")),
                    _ => Err(invalid(format!(
                        "'{path}' is true or false; use eq or ne with it."
                    ))),
                }
            }
            AttrType::Integer | AttrType::Decimal => {
                let CompValue::Number(n) = value else {
                    return Err(invalid(format!(
                        "'{path}' is a number; compare it with a number, such as {path} gt 10."
                    )));
                };
                let v = if let Some(i) = n.as_i64() {
                    SqlValue::Integer(i)
                } else {
                    SqlValue::Real(n.as_f64().unwrap_or(0.0))
                };
                let p = self.param(v);
                let sql_op = ordering_op(op).ok_or_else(|| {
                    invalid(format!(
                        "'{path}' is a number; co, sw and ew only apply to text."
                    ))
                })?;
                Ok(wrap(op, &format!("{e} {sql_op} {p}")))
            }
            AttrType::DateTime => {
                let CompValue::String(s) = value else {
                    return Err(invalid(format!("'{path}' is a date and time; write it as a string such as \"2024-05-01T00:00:00Z\".")));
                };
                let normalized = crate::time::normalize(s).ok_or_else(|| {
                    invalid(format!(
                        "\"{s}\" is not a date and time; write it like \"2024-05-01T09:30:00Z\"."
                    ))
                })?;
                let p = self.param(SqlValue::Text(normalized));
                let sql_op = ordering_op(op).ok_or_else(|| {
                    invalid(format!(
                        "'{path}' is a date and time; co, sw and ew only apply to text."
                    ))
                })?;
                // Stored times share one fixed-width UTC form, so text order is
                // time order; values in the JSON may have offsets.
                let lhs = if e.starts_with("json_extract") || e.starts_with("je.") {
                    format!("strftime('%Y-%m-%dT%H:%M:%fZ', {e})")
                } else {
                    e.clone()
                };
                Ok(wrap(op, &format!("{lhs} {sql_op} {p}")))
            }
            AttrType::Binary => Err(invalid(format!(
                "'{path}' holds binary data and cannot be compared."
            ))),
            AttrType::Complex => Err(invalid(format!(
                "'{path}' has several parts; compare one of them."
            ))),
            AttrType::String | AttrType::Reference => {
                let CompValue::String(s) = value else {
                    return Err(invalid(format!("'{path}' is text; put the value in double quotes, such as {path} eq \"value\".")));
                };
                let (lhs, v) = if def.case_exact {
                    (e.clone(), s.clone())
                } else {
                    (
                        leaf.folded
                            .clone()
                            .unwrap_or_else(|| format!("scim_fold({e})")),
                        fold(s),
                    )
                };
                let sql = match op {
                    CompareOp::Co => {
                        let p = self.param(SqlValue::Text(v));
                        format!("instr({lhs}, {p}) > 0")
                    }
                    CompareOp::Sw => {
                        let p = self.param(SqlValue::Text(v.clone()));
                        let exact = format!("instr({lhs}, {p}) = 1");
                        // An indexed key column can narrow a prefix to a range.
                        match (leaf.folded.is_some() || def.case_exact, successor(&v)) {
                            (true, Some(next)) if !v.is_empty() => {
                                let n = self.param(SqlValue::Text(next));
                                format!("({lhs} >= {p} AND {lhs} < {n} AND {exact})")
                            }
                            _ => exact,
                        }
                    }
                    CompareOp::Ew => {
                        let p = self.param(SqlValue::Text(v));
                        format!(
                            "substr({lhs}, -length({p})) = {p} AND length({p}) <= length({lhs})"
                        )
                    }
                    other => {
                        let p = self.param(SqlValue::Text(v));
                        let sql_op = ordering_op(other).unwrap_or("=");
                        format!("{lhs} {sql_op} {p}")
                    }
                };
                Ok(wrap(op, &sql))
            }
        }
    }
}

/// `ne` also matches when the attribute has no value; everything else needs one.
fn wrap(op: CompareOp, sql: &str) -> String {
    match op {
        CompareOp::Ne => format!("COALESCE({sql}, 1)"),
        _ => format!("COALESCE({sql}, 0)"),
    }
}

fn ordering_op(op: CompareOp) -> Option<&'static str> {
    Some(match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => return None,
    })
}

fn present(expr: &str, def: &AttributeDef) -> String {
    match def.ty {
        AttrType::String | AttrType::Reference | AttrType::Binary => {
            format!("COALESCE({expr} IS NOT NULL AND {expr} <> '', 0)")
        }
        _ => format!("({expr} IS NOT NULL)"),
    }
}

/// The smallest string greater than every string starting with `prefix`
/// (its last character incremented), for prefix range scans.
fn successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop()?;
    let next = char::from_u32(last as u32 + 1)?;
    chars.push(next);
    Some(chars.into_iter().collect())
}

/// How to sort by an attribute.
pub struct SortBy {
    /// The ORDER BY terms, without direction.
    pub terms: Vec<String>,
    /// Whether values may be missing (then they sort last, at a cost: an
    /// extra term that no index serves).
    pub nullable: bool,
}

/// The SQL to sort by `path`, or an error for attributes that cannot be
/// sorted on. Indexed, folded key columns sort on the index; a family name
/// sorts by given name next, as a person expects.
pub fn sort_by(
    path: &AttrPath,
    schema: &ResourceSchema,
    mapping: &dyn Mapping,
) -> Result<SortBy, ApiError> {
    let resolved = schema.resolve(path);
    if let Some(col) = resolved.as_ref().and_then(|r| mapping.column(r)) {
        if let Some(folded) = col.folded {
            let mut terms = vec![folded.to_string()];
            if folded == "t.sort_family" {
                terms.push("t.sort_given".into());
            }
            return Ok(SortBy {
                terms,
                nullable: false,
            });
        }
    }
    Ok(SortBy {
        terms: vec![sort_expr(path, schema, mapping)?],
        nullable: true,
    })
}

/// The SQL expression to sort by `path`, or an error for attributes that
/// cannot be sorted on.
pub fn sort_expr(
    path: &AttrPath,
    schema: &ResourceSchema,
    mapping: &dyn Mapping,
) -> Result<String, ApiError> {
    let resolved = schema.resolve(path).ok_or_else(|| {
        ApiError::bad(
            ScimType::InvalidValue,
            format!("sortBy names '{path}', which is not an attribute of this resource."),
        )
    })?;
    if let Some(col) = mapping.column(&resolved) {
        let def = resolved.sub_attr.unwrap_or(resolved.attr);
        return Ok(match (col.folded, def.case_exact, def.ty) {
            (Some(f), _, _) => f.to_string(),
            (None, false, AttrType::String) => format!("scim_fold({})", col.expr),
            _ => col.expr.to_string(),
        });
    }
    let attr = resolved.attr;
    let base = json_path(&resolved);
    let doc = mapping.doc();
    let (expr, def) = if attr.multi_valued {
        // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary
        // (or else first) value.
        let sub = match attr.ty {
            AttrType::Complex => resolved.sub_attr.or_else(|| attr.sub("value")),
            _ => None,
        };
        let value = match sub {
            Some(s) => format!("json_extract(je.value, '$.{}')", json_key(&s.name)),
            None => "je.value".into(),
        };
        let order = if attr.ty == AttrType::Complex {
            "ORDER BY COALESCE(json_extract(je.value, '$.primary'), 0) DESC, je.key"
        } else {
            "ORDER BY je.key"
        };
        (
            format!("(SELECT {value} FROM json_each({doc}, '{base}') je {order} LIMIT 1)"),
            sub.unwrap_or(attr),
        )
    } else {
        match resolved.sub_attr {
            Some(sub) => (
                format!("json_extract({doc}, '{base}.{}')", json_key(&sub.name)),
                sub,
            ),
            None if attr.ty == AttrType::Complex => {
                return Err(ApiError::bad(
                    ScimType::InvalidValue,
                    format!("sortBy '{path}' has several parts; sort by one of them."),
                ))
            }
            None => (format!("json_extract({doc}, '{base}')"), attr),
        }
    };
    Ok(if def.ty == AttrType::String && !def.case_exact {
        format!("scim_fold({expr})")
    } else {
        expr
    })
}
