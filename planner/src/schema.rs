//! The model schema: an immutable graph of Django models, their concrete
//! fields and every kind of relation, built once from the JSON structure that
//! `djust/schema.py` exports from `_meta`.
//!
//! The planner never asks Python about a model while planning: everything it
//! needs (columns, relation kinds, nullability, the field a reverse relation
//! points back through, which model attributes are analysable) is here.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Errors building a [`SchemaGraph`].
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The JSON did not match the documented structure.
    #[error("invalid schema JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A relation names a model that is not in the schema.
    #[error("model {model}: relation {relation} targets unknown model {target}")]
    UnknownTarget {
        /// The model holding the relation.
        model: String,
        /// The relation's accessor name.
        relation: String,
        /// The missing target label.
        target: String,
    },
    /// Two models share a label.
    #[error("model {0} appears twice")]
    DuplicateModel(String),
}

/// The kind of a relation, seen from the model that holds the accessor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// `ForeignKey` on this model: one object or `None`.
    ForwardFk,
    /// `OneToOneField` on this model (includes multi-table inheritance parent links).
    ForwardO2o,
    /// The reverse side of a `OneToOneField` on another model: one object.
    ReverseO2o,
    /// The reverse side of a `ForeignKey` on another model: a related manager.
    ReverseFk,
    /// `ManyToManyField` on this model: a related manager.
    M2m,
    /// The reverse side of a `ManyToManyField` on another model.
    ReverseM2m,
    /// `GenericForeignKey`: the target model is only known per row.
    GenericFk,
    /// `GenericRelation`: a related manager over content types.
    GenericRelation,
}

impl RelationKind {
    /// One object per row (can be joined with `select_related`).
    pub fn is_single(self) -> bool {
        matches!(self, Self::ForwardFk | Self::ForwardO2o | Self::ReverseO2o)
    }

    /// Many objects per row (needs a prefetch).
    pub fn is_multi(self) -> bool {
        matches!(
            self,
            Self::ReverseFk | Self::M2m | Self::ReverseM2m | Self::GenericRelation
        )
    }

    /// The planner cannot plan it (no static target).
    pub fn is_generic(self) -> bool {
        matches!(self, Self::GenericFk | Self::GenericRelation)
    }
}

/// A concrete field with a database column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The attribute name used in templates and in `only()` (`author` for a FK).
    pub name: String,
    /// The instance attribute holding the raw value (`author_id` for a FK).
    pub attname: String,
    /// The column name in the table.
    pub column: String,
    /// Whether the field is a relation (its value is a key).
    #[serde(default)]
    pub is_relation: bool,
}

/// A relation accessor on a model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The accessor name on this model (`author`, `books`, `profile`).
    pub name: String,
    /// The kind of relation.
    pub kind: RelationKind,
    /// The label of the related model (`None` for a generic foreign key).
    pub target: Option<String>,
    /// Whether a forward relation may be NULL.
    #[serde(default)]
    pub nullable: bool,
    /// For reverse FK/O2O: the name of the field on the target that points back
    /// (its value must be loaded in a prefetch so Django can match rows).
    #[serde(default)]
    pub remote_field: Option<String>,
    /// For M2M: the label of the `through` model.
    #[serde(default)]
    pub through: Option<String>,
    /// For a generic foreign key: the content-type and object-id field names.
    #[serde(default)]
    pub generic_fields: Vec<String>,
    /// True for a multi-table inheritance parent link.
    #[serde(default)]
    pub parent_link: bool,
}

/// What the Python analysis found about a model property or method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// `property`, `cached_property`, `method` or `display` (`get_FOO_display`).
    pub kind: String,
    /// The `self.<path>` attribute paths it reads, or `None` when its source
    /// could not be analysed (the planner is then conservative for the model).
    pub reads: Option<Vec<Vec<String>>>,
    /// Why the analysis gave up, when it did.
    #[serde(default)]
    pub reason: Option<String>,
}

/// One Django model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// `app_label.ModelName`.
    pub label: String,
    /// The class name, as written in plan code (`Book.objects...`).
    pub name: String,
    /// The database table.
    pub table: String,
    /// The name of the primary key field.
    pub pk: String,
    /// The attname of the primary key field (`id`, or `work_ptr_id` for MTI).
    pub pk_attname: String,
    /// Concrete fields (inherited ones included), in declaration order.
    pub fields: Vec<Field>,
    /// Relations of every kind, by accessor.
    pub relations: Vec<Relation>,
    /// Properties and methods defined by the project on this model.
    #[serde(default)]
    pub attributes: HashMap<String, Attribute>,
    /// For a proxy model: the label of the concrete model it proxies.
    #[serde(default)]
    pub proxy_for: Option<String>,
    /// Multi-table inheritance parents (labels).
    #[serde(default)]
    pub parents: Vec<String>,
    /// The default manager is not a plain `Manager` (its `get_queryset` may filter).
    #[serde(default)]
    pub custom_default_manager: bool,
    /// The name of the default manager attribute (`objects`).
    #[serde(default = "default_manager_name")]
    pub default_manager: String,
}

fn default_manager_name() -> String {
    "objects".to_owned()
}

/// The exported schema as it crosses from Python.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaData {
    /// A version string that changes whenever any model changes.
    pub version: String,
    /// Every installed model.
    pub models: Vec<Model>,
}

/// What a name on a model instance resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    /// The primary key (`pk` or the pk field's name).
    Pk,
    /// A concrete field that is not a relation (or the raw `*_id` of one).
    Field(&'a Field),
    /// A relation accessor.
    Relation(&'a Relation),
    /// A property or method the project defined.
    Attribute(&'a Attribute),
}

/// The immutable schema graph the planner works over.
#[derive(Debug, Clone)]
pub struct SchemaGraph {
    data: SchemaData,
    by_label: HashMap<String, usize>,
}

impl SchemaGraph {
    /// Build and validate the graph from the exported data.
    pub fn new(data: SchemaData) -> Result<Self, SchemaError> {
        let mut by_label = HashMap::with_capacity(data.models.len());
        for (i, model) in data.models.iter().enumerate() {
            if by_label.insert(model.label.clone(), i).is_some() {
                return Err(SchemaError::DuplicateModel(model.label.clone()));
            }
        }
        for model in &data.models {
            for rel in &model.relations {
                if let Some(target) = &rel.target {
                    if !by_label.contains_key(target) {
                        return Err(SchemaError::UnknownTarget {
                            model: model.label.clone(),
                            relation: rel.name.clone(),
                            target: target.clone(),
                        });
                    }
                }
            }
        }
        Ok(Self { data, by_label })
    }

    /// Parse the JSON that `djust.schema.export_schema()` produces.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        Self::new(serde_json::from_str(json)?)
    }

    /// The schema version (part of every plan cache key).
    pub fn version(&self) -> &str {
        &self.data.version
    }

    /// A model by label.
    pub fn model(&self, label: &str) -> Option<&Model> {
        self.by_label.get(label).map(|&i| &self.data.models[i])
    }

    /// Every model.
    pub fn models(&self) -> impl Iterator<Item = &Model> {
        self.data.models.iter()
    }
}

impl Model {
    /// Resolve an attribute name used in a template.
    pub fn member(&self, name: &str) -> Option<Member<'_>> {
        if name == "pk" || name == self.pk || name == self.pk_attname {
            return Some(Member::Pk);
        }
        if let Some(rel) = self.relations.iter().find(|r| r.name == name) {
            return Some(Member::Relation(rel));
        }
        if let Some(field) = self
            .fields
            .iter()
            .find(|f| f.name == name || f.attname == name)
        {
            return Some(Member::Field(field));
        }
        self.attributes.get(name).map(Member::Attribute)
    }

    /// The concrete field behind a forward relation (`author` → its FK field).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> SchemaData {
        serde_json::from_value(serde_json::json!({
            "version": "1",
            "models": [
                {"label": "a.Author", "name": "Author", "table": "a_author", "pk": "id", "pk_attname": "id",
                 "fields": [{"name": "id", "attname": "id", "column": "id"},
                            {"name": "name", "attname": "name", "column": "name"}],
                 "relations": [{"name": "books", "kind": "reverse_fk", "target": "a.Book", "remote_field": "author"}]},
                {"label": "a.Book", "name": "Book", "table": "a_book", "pk": "id", "pk_attname": "id",
                 "fields": [{"name": "id", "attname": "id", "column": "id"},
                            {"name": "author", "attname": "author_id", "column": "author_id", "is_relation": true}],
                 "relations": [{"name": "author", "kind": "forward_fk", "target": "a.Author"}]}
            ]
        }))
        .expect("valid test schema")
    }

    #[test]
    fn resolves_members() {
        let graph = SchemaGraph::new(tiny()).expect("schema");
        let book = graph.model("a.Book").expect("book");
        assert_eq!(book.member("pk"), Some(Member::Pk));
        assert!(
            matches!(book.member("author"), Some(Member::Relation(r)) if r.kind == RelationKind::ForwardFk)
        );
        assert!(
            matches!(book.member("author_id"), Some(Member::Field(f)) if f.column == "author_id")
        );
        assert_eq!(book.member("nope"), None);
    }

    #[test]
    fn rejects_unknown_target() {
        let mut data = tiny();
        data.models[1].relations[0].target = Some("a.Missing".into());
        assert!(matches!(
            SchemaGraph::new(data),
            Err(SchemaError::UnknownTarget { .. })
        ));
    }
}
