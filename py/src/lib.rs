//! `djust._native`: the Python extension module. Bindings only: each
//! submodule translates between Python and one Rust crate's API.
use pyo3::prelude::*;

mod convert;
mod errors;
mod fingerprint;
mod host;
mod live;
mod planner;
mod template;
mod value;

/// The version of the Rust core this extension was built from.
#[pyfunction]
fn version() -> &'static str {
    djust_vdom::VERSION
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(convert::json_roundtrip, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint::fingerprint, m)?)?;
    m.add_class::<planner::PyPlanner>()?;
    m.add_class::<planner::PyPlan>()?;
    m.add_function(wrap_pyfunction!(planner::extract_accesses, m)?)?;
    m.add_class::<template::PyEnvironment>()?;
    m.add_class::<template::PyTemplate>()?;
    m.add_class::<live::PyLiveTemplate>()?;
    m.add_function(wrap_pyfunction!(template::resolve_variable, m)?)?;
    m.add_function(wrap_pyfunction!(template::value_roundtrip, m)?)?;
    m.add_function(wrap_pyfunction!(template::host_call, m)?)?;
    m.add_function(wrap_pyfunction!(template::current_template_position, m)?)?;
    m.add(
        "TemplateUnsupported",
        m.py().get_type::<errors::TemplateUnsupported>(),
    )?;
    m.add("EnginePanic", m.py().get_type::<errors::EnginePanic>())?;
    Ok(())
}
