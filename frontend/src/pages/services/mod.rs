//! Services: the live service page and the create wizard.

mod page;
mod wizard;

pub use page::ServicePage;
pub use wizard::CreateServicePage;
