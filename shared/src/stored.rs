//! How the server stores the typed states: as text, through sqlx's `Any` driver (one code path for
//! SQLite and PostgreSQL), under the names their serde form has (the API's names), so a column
//! reads as the JSON does.

/// `sqlx::Type`, `Encode` and `Decode` for `Any`, as the text of the serde name, for unit enums.
macro_rules! stored_as_text {
    ($($t:ty),+ $(,)?) => {$(
        impl sqlx::Type<sqlx::Any> for $t {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <str as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <str as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        impl sqlx::Encode<'_, sqlx::Any> for $t {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                match serde_json::to_value(self)? {
                    serde_json::Value::String(name) => <String as sqlx::Encode<sqlx::Any>>::encode(name, buf),
                    other => Err(format!("{other} is not a name").into()),
                }
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Any> for $t {
            fn decode(value: <sqlx::Any as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <String as sqlx::Decode<sqlx::Any>>::decode(value)?;
                Ok(serde_json::from_value(serde_json::Value::String(name))?)
            }
        }
    )+};
}

stored_as_text!(
    crate::deploy::DeploymentKind,
    crate::deploy::Outcome,
    crate::deploy::DeployStep,
    crate::auth::Role,
    crate::notify::NotifyEvent,
    crate::notify::DestinationKind,
    crate::notify::DeliveryStatus,
);

#[cfg(test)]
mod tests {
    use crate::deploy::{DeployStep, Outcome};
    use crate::notify::{DeliveryStatus, NotifyEvent};

    /// The names the migrations' CHECK constraints list.
    #[test]
    fn the_stored_names_are_the_ones_the_schema_allows() {
        assert_eq!(serde_json::to_value(Outcome::TimedOut).unwrap(), "TIMED_OUT");
        assert_eq!(serde_json::to_value(DeployStep::Registered).unwrap(), "registered");
        assert_eq!(serde_json::to_value(DeliveryStatus::GaveUp).unwrap(), "gave_up");
        assert_eq!(serde_json::to_value(NotifyEvent::RolledBack).unwrap(), "deployment.rolled_back");
    }
}
