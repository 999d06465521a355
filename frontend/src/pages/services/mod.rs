//! Services: the live service page, the create wizard and the "Update service" page.

mod deploy;
mod live;
mod native;
mod open;
mod page;
mod promote;
mod strategy_fields;
mod update;
mod update_json;
mod wizard;

pub use page::ServicePage;
pub use update::UpdateServicePage;
pub use wizard::CreateServicePage;
