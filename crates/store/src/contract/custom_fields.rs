//! Contract cases for custom fields ("Otros datos").

/// The custom-field cases.
#[macro_export]
macro_rules! custom_fields_contract {
    ($fresh:path) => {
        $crate::contract_suite!(@cases $fresh;);
    };
}
