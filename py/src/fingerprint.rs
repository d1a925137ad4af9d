//! `djust._native.fingerprint`: SQL fingerprints from djust-planner.
use djust_planner::Dialect;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The fingerprint of `sql` as Django's `connection.vendor` (`"postgresql"`,
/// `"sqlite"`, `"mysql"`) writes it: literals and placeholders become `?`,
/// `IN` lists and multi-row `VALUES` collapse, quoting and whitespace are
/// normalised. Never fails on the SQL; an unknown vendor is a `ValueError`.
#[pyfunction]
pub fn fingerprint(py: Python<'_>, sql: &str, vendor: &str) -> PyResult<String> {
    let dialect: Dialect = vendor
        .parse()
        .map_err(|e: djust_planner::UnknownDialect| PyValueError::new_err(e.to_string()))?;
    // Pure Rust work on a copied string: let other Python threads run.
    Ok(py.detach(|| djust_planner::fingerprint(sql, dialect).text))
}
