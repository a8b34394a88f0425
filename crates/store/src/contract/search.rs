//! Contract cases for client search.

/// The search cases.
#[macro_export]
macro_rules! search_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;);
    };
}
