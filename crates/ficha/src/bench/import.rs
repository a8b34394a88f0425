//! `ficha bench-import`: a spreadsheet of synthetic clients (Spanish
//! headers, `;`, as Excel in Chile saves it) imported into a new business
//! the way `POST /clients/import` does — read, planned, counted, then
//! written a chunk per transaction — with the time and the process's peak
//! memory. With `--dry-run`, the dry run of the same file instead. A
//! measurement, not a test.

use std::sync::Arc;
use std::time::Instant;

use ficha_domain::{Actor, SystemClock};
use ficha_store::imports::{Existing, NewImport};
use ficha_web::import::{self, FileKind};
use jiff::Timestamp;

use super::peak_memory;
use crate::accounts;
use crate::connect::connect;
use crate::demo::random::Random;
use crate::demo::synthetic_client;

pub struct ImportBenchArgs {
    pub database_url: String,
    pub rows: u64,
    pub dry_run: bool,
    pub seed: u64,
}

pub async fn run(args: ImportBenchArgs) -> anyhow::Result<()> {
    let store = connect(&args.database_url, Arc::new(SystemClock)).await?;
    let slug = format!("bench-import-{}", Timestamp::now().as_second());
    let business = accounts::create_business(&*store, &slug, "Benchmark", "America/Santiago").await?;
    let actor = Actor::System { business: business.id };
    let file = spreadsheet(args.rows, args.seed);
    println!("{} rows, {:.1} MB of CSV; peak memory before: {}", args.rows, file.len() as f64 / 1e6, peak_memory());

    let started = Instant::now();
    let fields = store.list_fields(&actor, false).await?;
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let plan = import::plan(FileKind::Csv, &file, &fields, &[]).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut lines = import::lines(FileKind::Csv, &file, &plan, fields, today).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if args.dry_run {
        let reports = store.dry_run_import(&actor, Existing::Update, &mut lines).await?;
        println!("dry run: {} lines reported in {:.2} s", reports.len(), started.elapsed().as_secs_f64());
    } else {
        let total_rows = import::count_lines(FileKind::Csv, &file).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let new = NewImport { existing: Existing::Update, file_name: "bench.csv".into(), total_rows };
        let batch = store.open_import(&actor, new).await?;
        import::run(store.clone(), actor, batch.id, lines).await;
        let batch = store.get_import(&actor, batch.id).await?;
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "import {}: {} created, {} refused in {seconds:.2} s ({:.0} rows/s)",
            batch.status.as_str(),
            batch.counts.created,
            batch.counts.refused,
            batch.counts.total() as f64 / seconds
        );
    }
    println!("peak memory (VmHWM): {}", peak_memory());
    store.close().await;
    Ok(())
}

/// The file: the demo's synthetic clients under a header a person would
/// write, one row each.
fn spreadsheet(rows: u64, seed: u64) -> Vec<u8> {
    let today = Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let mut random = Random::seeded(seed);
    let mut file = String::from("Nombre;Correo;Celular;RUT;Fecha de nacimiento\r\n");
    for number in 0..rows {
        let client = synthetic_client(&mut random, today, number);
        let line = [
            client.name.as_str().to_owned(),
            client.email.as_str().to_owned(),
            client.phone.map(|p| p.e164().to_owned()).unwrap_or_default(),
            client.rut.map(|r| r.display()).unwrap_or_default(),
            client.birth_date.map(|d| d.display()).unwrap_or_default(),
        ]
        .join(";");
        file.push_str(&line);
        file.push_str("\r\n");
    }
    file.into_bytes()
}
