//! Task volumes: a Docker volume (scope, autoprovision, driver, options, labels), a bind mount
//! (host path, or none for task storage), or EFS.

use leptos::prelude::*;
use shared::ecs::task_definition::{
    DockerVolumeConfiguration as Docker, EfsVolumeConfiguration as Efs, HostVolume, TaskDefinitionSpec as Spec, Volume,
};

use super::fields::{Form, Lens, checkbox, map_lines, message, number, opt_text, rows, select, text};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Bind,
    Docker,
    Efs,
}

fn kind_of(v: &Volume) -> Kind {
    if v.docker_volume_configuration.is_some() {
        Kind::Docker
    } else if v.efs_volume_configuration.is_some() {
        Kind::Efs
    } else {
        Kind::Bind
    }
}

pub fn volumes(form: Form) -> impl IntoView {
    let lens = form.root().field("volumes", |s: &mut Spec| Some(&mut s.volumes));
    view! {
        <fieldset>
            <legend>"Volumes"</legend>
            <p class="hint">"Declared here, mounted into containers by name (Mount points, in each container)."</p>
            {rows(lens, "Volumes", "Add volume", volume)}
        </fieldset>
    }
}

fn volume(v: Lens<Volume>) -> AnyView {
    let kind = {
        let v = v.clone();
        Memo::new(move |_| kind_of(&v.get()))
    };
    let switch = v.clone();
    let set_kind = move |value: String| {
        switch.update(|vol| {
            vol.host = None;
            vol.docker_volume_configuration = None;
            vol.efs_volume_configuration = None;
            match value.as_str() {
                "docker" => {
                    vol.docker_volume_configuration = Some(Docker { scope: Some("task".into()), ..Docker::default() })
                }
                "efs" => vol.efs_volume_configuration = Some(Efs::default()),
                _ => {}
            }
        })
    };
    let details = {
        let v = v.clone();
        move || match kind.get() {
            Kind::Bind => bind(v.clone()).into_any(),
            Kind::Docker => docker(v.clone()).into_any(),
            Kind::Efs => efs(v.clone()).into_any(),
        }
    };
    view! {
        <div class="volume">
            {text(v.field("name", |v: &mut Volume| Some(&mut v.name)), "Name", None)}
            <div class="field">
                <label>
                    <span class="label">"Type"</span>
                    <select name=format!("{}.type", v.path) on:change=move |ev| set_kind(event_target_value(&ev))
                        prop:value=move || match kind.get() { Kind::Bind => "bind", Kind::Docker => "docker", Kind::Efs => "efs" }>
                        <option value="bind">"Bind mount"</option>
                        <option value="docker">"Docker volume"</option>
                        <option value="efs">"Amazon EFS"</option>
                    </select>
                </label>
                {message(v.form, v.path.clone())}
            </div>
            {details}
        </div>
    }
    .into_any()
}

/// The host object exists only while a path is set (written by hand: a lens would create it on read).
fn bind(v: Lens<Volume>) -> impl IntoView {
    let (read, write) = (v.clone(), v.clone());
    let path = format!("{}.host.sourcePath", v.path);
    view! {
        <div class="field">
            <label>
                <span class="label">"Source path on the host"</span>
                <small class="hint">"Empty: task storage that lives as long as the task."</small>
                <input name=path.clone() placeholder="/var/www" spellcheck="false"
                    prop:value=move || read.get().host.and_then(|h| h.source_path).unwrap_or_default()
                    on:input=move |ev| {
                        let p = event_target_value(&ev);
                        write.update(|vol| vol.host = (!p.is_empty()).then_some(HostVolume { source_path: Some(p) }));
                    }/>
            </label>
            {message(v.form, path)}
        </div>
    }
}

fn docker(v: Lens<Volume>) -> impl IntoView {
    let d = v.field("dockerVolumeConfiguration", |v: &mut Volume| v.docker_volume_configuration.as_mut());
    view! {
        {select(d.field("scope", |d: &mut Docker| Some(&mut d.scope)), "Scope", &[
            ("", "task (default) — created with the task, removed when it stops"),
            ("task", "task — created with the task, removed when it stops"),
            ("shared", "shared — outlives the task, shared on the instance"),
        ])}
        {checkbox(d.field("autoprovision", |d: &mut Docker| Some(&mut d.autoprovision)), "Create the volume if it does not exist (shared scope only)", false)}
        {opt_text(d.field("driver", |d: &mut Docker| Some(&mut d.driver)), "Driver", "local")}
        {map_lines(d.field("driverOpts", |d: &mut Docker| Some(&mut d.driver_opts)), "Driver options")}
        {map_lines(d.field("labels", |d: &mut Docker| Some(&mut d.labels)), "Labels")}
    }
}

fn efs(v: Lens<Volume>) -> impl IntoView {
    let e = v.field("efsVolumeConfiguration", |v: &mut Volume| v.efs_volume_configuration.as_mut());
    view! {
        {text(e.field("fileSystemId", |e: &mut Efs| Some(&mut e.file_system_id)), "File system ID", Some("fs-0123456789abcdef0"))}
        {opt_text(e.field("rootDirectory", |e: &mut Efs| Some(&mut e.root_directory)), "Root directory", "/")}
        {select(e.field("transitEncryption", |e: &mut Efs| Some(&mut e.transit_encryption)), "Encryption in transit", &[
            ("", "Disabled (default)"), ("ENABLED", "Enabled"), ("DISABLED", "Disabled"),
        ])}
        {number(e.field("transitEncryptionPort", |e: &mut Efs| Some(&mut e.transit_encryption_port)), "Transit encryption port", None)}
    }
}
