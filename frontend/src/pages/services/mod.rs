//! Services: the live service page and the create wizard.

mod deploy;
mod live;
mod open;
mod page;
mod update_json;
mod wizard;

pub use page::ServicePage;
pub use wizard::CreateServicePage;
