//! The request-tag format, checked against the fixture the Python helper
//! (`djust.sqltag`) is tested with too.
#![cfg(feature = "wire")]

use djust_planner::wire::tag;
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    escaped: String,
    sql: String,
    tagged: String,
}

#[test]
fn escaping_matches_the_shared_fixture() {
    let text = include_str!("fixtures/sqltag.json");
    let fixture: Fixture = serde_json::from_str(text).expect("valid fixture");
    assert!(fixture.cases.len() > 5);
    for case in fixture.cases {
        assert_eq!(tag::escape(&case.id), case.escaped, "{:?}", case.id);
        assert_eq!(tag::tag_sql(&case.sql, &case.id), case.tagged);
        assert_eq!(
            tag::extract(&case.tagged),
            Some((case.id.clone(), case.sql.clone()))
        );
    }
}
