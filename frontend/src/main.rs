//! Berth's web console. Pages fetch through `api`; components only render what they are given.

mod api;
mod app;
mod components;
mod format;
mod load;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
