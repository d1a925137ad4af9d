//! Bindings for `djust-planner`: the schema crosses once as JSON, access
//! trees and queryset shapes cross as JSON per plan, and plans come back as
//! `Plan` objects cached in a bounded LRU.
use std::sync::{Arc, Mutex, MutexGuard};

use djust_planner::cache::{PlanCache, PlanKey};
use djust_planner::{AccessNode, Plan as CorePlan, SchemaGraph, Shape};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert;

/// A query plan for one context name (see `djust.plan_for`).
#[pyclass(module = "djust._native", name = "Plan")]
pub struct PyPlan {
    plan: CorePlan,
    /// Python-side state (prepared querysets), set by `djust.optimize`.
    #[pyo3(get, set)]
    prepared: Option<Py<PyAny>>,
}

#[pymethods]
impl PyPlan {
    /// The label of the planned model.
    #[getter]
    fn model(&self) -> &str {
        &self.plan.root.model
    }

    /// Why the queryset was left untouched, or None.
    #[getter]
    fn passthrough(&self) -> Option<&str> {
        self.plan.passthrough.as_deref()
    }

    /// Notes: unplanned parts, conservative models, kept user choices.
    #[getter]
    fn notes(&self) -> Vec<String> {
        self.plan.notes.clone()
    }

    /// The root queryset plan as plain data (select_related, prefetches, only).
    #[getter]
    fn root<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(&self.plan.root)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        convert::to_py(py, &value)
    }

    /// The plan as JSON.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.plan).map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    fn __str__(&self) -> String {
        self.plan.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Plan {}: {} prefetches>",
            self.plan.root.model,
            count(&self.plan.root)
        )
    }

    fn __traverse__(&self, visit: pyo3::PyVisit<'_>) -> Result<(), pyo3::PyTraverseError> {
        if let Some(p) = &self.prepared {
            visit.call(p)?;
        }
        Ok(())
    }

    fn __clear__(&mut self) {
        self.prepared = None;
    }
}

fn count(qs: &djust_planner::QuerySetPlan) -> usize {
    qs.prefetches.iter().map(|p| 1 + count(&p.queryset)).sum()
}

/// The schema graph plus the plan cache.
#[pyclass(module = "djust._native", name = "Planner", frozen)]
pub struct PyPlanner {
    schema: Arc<SchemaGraph>,
    cache: Mutex<PlanCache<PlanKey, Arc<Py<PyPlan>>>>,
}

impl PyPlanner {
    fn cache(&self) -> PyResult<MutexGuard<'_, PlanCache<PlanKey, Arc<Py<PyPlan>>>>> {
        self.cache
            .lock()
            .map_err(|_| PyRuntimeError::new_err("plan cache poisoned"))
    }

    fn key(&self, key: (String, String, String, String)) -> PlanKey {
        PlanKey {
            template: key.0,
            name: key.1,
            model: key.2,
            shape: key.3,
            schema: self.schema.version().to_owned(),
        }
    }
}

#[pymethods]
impl PyPlanner {
    /// Build from `djust.schema.export_schema()` JSON, with an LRU of `capacity` plans.
    #[new]
    fn new(schema_json: &str, capacity: usize) -> PyResult<Self> {
        let schema = SchemaGraph::from_json(schema_json)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Self {
            schema: Arc::new(schema),
            cache: Mutex::new(PlanCache::new(capacity)),
        })
    }

    /// The schema version plans are keyed by.
    #[getter]
    fn schema_version(&self) -> &str {
        self.schema.version()
    }

    /// The cached plan for `(template fingerprint, name, model, shape)`, or None.
    fn lookup(
        &self,
        py: Python<'_>,
        key: (String, String, String, String),
    ) -> PyResult<Option<Py<PyPlan>>> {
        let key = self.key(key);
        Ok(self.cache()?.get(&key).map(|p| p.clone_ref(py)))
    }

    /// Plan `accesses_json` (an access tree) for a queryset of `model` with
    /// `shape_json`, cache it under `key` and return it.
    fn plan(
        &self,
        py: Python<'_>,
        key: (String, String, String, String),
        accesses_json: &str,
        shape_json: &str,
    ) -> PyResult<Py<PyPlan>> {
        let accesses: AccessNode = serde_json::from_str(accesses_json)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let shape: Shape =
            serde_json::from_str(shape_json).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let schema = Arc::clone(&self.schema);
        let model = key.2.clone();
        let plan = py
            .detach(move || djust_planner::plan(&schema, &model, &accesses, &shape))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let obj = Py::new(
            py,
            PyPlan {
                plan,
                prepared: None,
            },
        )?;
        let key = self.key(key);
        self.cache()?.insert(key, Arc::new(obj.clone_ref(py)));
        Ok(obj)
    }

    /// Drop the cached plans of one template fingerprint; returns how many.
    fn invalidate(&self, template: &str) -> PyResult<usize> {
        Ok(self.cache()?.invalidate(|k| k.template == template))
    }

    /// Drop every plan and reset the counters.
    fn clear(&self) -> PyResult<()> {
        self.cache()?.clear();
        Ok(())
    }

    /// Change the LRU bound.
    fn resize(&self, capacity: usize) -> PyResult<()> {
        self.cache()?.resize(capacity);
        Ok(())
    }

    /// `{"hits", "misses", "size", "capacity"}`.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.cache()?.stats();
        let d = PyDict::new(py);
        d.set_item("hits", s.hits)?;
        d.set_item("misses", s.misses)?;
        d.set_item("size", s.size)?;
        d.set_item("capacity", s.capacity)?;
        Ok(d)
    }
}

/// Extract the access trees of template `name` with vdom's parser, from
/// `sources` (name → source text). Returns `(accesses JSON, missing names,
/// fingerprint)`: when a template `include`d or `extends`-ed is not in
/// `sources`, its name comes back in `missing` and the caller retries with it.
#[pyfunction]
pub fn extract_accesses(
    name: &str,
    sources: &Bound<'_, PyDict>,
) -> PyResult<(Option<String>, Vec<String>, String)> {
    use djust_vdom::{Environment, ErrorKind, MapLoader, Options};

    let mut loader = MapLoader::new();
    for (key, value) in sources.iter() {
        loader.insert(key.extract::<String>()?, value.extract::<String>()?);
    }
    let env = Environment::new(Arc::new(loader), Options::default());
    let missing = |e: &djust_vdom::Error| -> Option<String> {
        (e.kind() == ErrorKind::TemplateNotFound).then(|| e.detail().to_owned())
    };
    let template = match env.get_template(name) {
        Ok(t) => t,
        Err(e) => {
            return match missing(&e) {
                Some(m) => Ok((None, vec![m], String::new())),
                None => Err(PyValueError::new_err(e.to_string())),
            }
        }
    };
    match djust_planner::extract(&env, &template) {
        Ok(extraction) => {
            let json = serde_json::to_string(&extraction.accesses.names)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            Ok((
                Some(json),
                Vec::new(),
                format!("{:016x}", extraction.fingerprint),
            ))
        }
        Err(djust_planner::ExtractError::Template(e)) => match missing(&e) {
            Some(m) => Ok((None, vec![m], String::new())),
            None => Err(PyValueError::new_err(e.to_string())),
        },
        Err(e) => Err(PyValueError::new_err(e.to_string())),
    }
}
