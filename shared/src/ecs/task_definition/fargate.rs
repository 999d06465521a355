//! Task-level CPU and memory: their spellings, and Fargate's valid combinations.

/// Fargate (Linux): task CPU units, and the memory (MiB) each allows: `(cpu, first, last, step)`.
pub const FARGATE_CPU_MEMORY: [(i64, i64, i64, i64); 7] = [
    (256, 512, 2048, 512), // 512, 1024, 2048 (1536 is not offered; filtered below)
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// The memory sizes (MiB) Fargate accepts with `cpu` units; empty if `cpu` is not a Fargate size.
pub fn fargate_memory_options(cpu: i64) -> Vec<i64> {
    FARGATE_CPU_MEMORY
        .iter()
        .filter(|(c, ..)| *c == cpu)
        .flat_map(|&(_, first, last, step)| (first..=last).step_by(step as usize))
        .filter(|&m| cpu != 256 || m != 1536)
        .collect()
}

/// `"1.5"` -> 1536 with `per_unit` 1024: a decimal times a unit, in integers (no float code).
fn scaled(number: &str, per_unit: i64) -> Option<i64> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || !(whole.chars().chain(fraction.chars())).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction = &fraction[..fraction.len().min(6)];
    let scale = 10i64.pow(fraction.len() as u32);
    let fraction: i64 = if fraction.is_empty() { 0 } else { fraction.parse().ok()? };
    whole.checked_mul(per_unit)?.checked_add(fraction * per_unit / scale)
}

fn split_unit(text: &str) -> (&str, String) {
    let text = text.trim();
    let at = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    (text[..at].trim(), text[at..].trim().to_ascii_lowercase())
}

/// Task CPU in units: `"1024"` or `"1 vCPU"` (1 vCPU = 1024 units).
pub fn parse_task_cpu(text: &str) -> Option<i64> {
    match split_unit(text) {
        (n, unit) if unit.is_empty() => n.parse().ok(),
        (n, unit) if unit == "vcpu" => scaled(n, 1024),
        _ => None,
    }
}

/// Task memory in MiB: `"2048"` or `"2 GB"` (1 GB = 1024 MiB).
pub fn parse_task_memory(text: &str) -> Option<i64> {
    match split_unit(text) {
        (n, unit) if unit.is_empty() => n.parse().ok(),
        (n, unit) if unit == "gb" => scaled(n, 1024),
        _ => None,
    }
}
