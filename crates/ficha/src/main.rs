//! The `ficha` binary: configuration, wiring and command-line tools.

mod accounts;
mod bench;
mod cli;
mod connect;
mod demo;
mod first_run;
mod logging;
mod notify;
mod prune;
mod serve;

use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use ficha_domain::{Role, SystemClock};
use ficha_store::Store;

use cli::{BusinessCommand, Cli, Command, RoleArg, StaffCommand, TokenCommand};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    logging::init(&cli.global.log, cli.global.log_format);
    let url = cli.global.database_url;
    match cli.command {
        Command::Serve(args) => serve::run(&url, args).await,
        Command::Migrate => {
            // Connecting applies the migrations.
            open(&url).await?.close().await;
            println!("Base de datos al día.");
            Ok(())
        }
        Command::Demo { slug } => {
            let logins = demo::create(&url, &slug).await?;
            println!("{}", first_run::banner(&logins, "http://127.0.0.1:8080"));
            Ok(())
        }
        Command::Bench { clients, queries, naive_queries, edits, seed } => {
            bench::run(bench::BenchArgs { database_url: url, clients, queries, naive_queries, edits, seed }).await
        }
        Command::BenchProfile { bookings, others, others_bookings, notes, rounds, without_access_log } => {
            let args = bench::profile::ProfileArgs {
                database_url: url,
                bookings,
                others,
                others_bookings,
                notes,
                rounds,
                with_access_log: !without_access_log,
            };
            bench::profile::run(args).await
        }
        Command::Worker(args) => serve::worker(&url, args).await,
        Command::BenchWrites { clients, writes, writers, seed } => {
            let args = bench::writes::WritesArgs { database_url: url, clients, writes, writers, seed };
            bench::writes::run(args).await
        }
        Command::BenchDuplicates { clients, planted, rounds, seed } => {
            let args = bench::duplicates::DuplicatesArgs { database_url: url, clients, planted, rounds, seed };
            bench::duplicates::run(args).await
        }
        Command::BenchImport { rows, dry_run, seed } => {
            bench::import::run(bench::import::ImportBenchArgs { database_url: url, rows, dry_run, seed }).await
        }
        Command::BenchNotify { messages, bookings, notify } => {
            bench::notify::run(bench::notify::NotifyBenchArgs { database_url: url, messages, bookings, notify }).await
        }
        Command::BenchSite { professionals, bookings, days, rounds, seed } => {
            let args = bench::site::SiteBenchArgs { database_url: url, professionals, bookings, days, rounds, seed };
            bench::site::run(args).await
        }
        Command::BenchCalendar { professionals, bookings, rounds, seed } => {
            let args = bench::calendar::CalendarBenchArgs { database_url: url, professionals, bookings, rounds, seed };
            bench::calendar::run(args).await
        }
        Command::Business(command) => business(&*open(&url).await?, command).await,
        Command::Staff(command) => staff(&*open(&url).await?, command).await,
        Command::Token(command) => token(&*open(&url).await?, command).await,
    }
}

async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    connect::connect(url, Arc::new(SystemClock)).await
}

async fn business(store: &dyn Store, command: BusinessCommand) -> anyhow::Result<()> {
    match command {
        BusinessCommand::Create { slug, name, time_zone, owner_email, owner_name } => {
            let business = accounts::create_business(store, &slug, &name, &time_zone).await?;
            let actor = ficha_domain::Actor::System { business: business.id };
            let (_, password) =
                accounts::add_staff(store, &actor, &owner_name, &owner_email, Role::Owner, None).await?;
            println!("Negocio «{}» creado ({slug}). Dueño: {owner_email}  contraseña: {password}", business.name);
        }
    }
    store.close().await;
    Ok(())
}

async fn staff(store: &dyn Store, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { business, email, name, role, password } => {
            let actor = accounts::business_actor(store, &business).await?;
            let role = match role {
                RoleArg::Owner => Role::Owner,
                RoleArg::Professional => Role::Professional,
            };
            let shown = password.is_none();
            let (staff, password) = accounts::add_staff(store, &actor, &name, &email, role, password).await?;
            println!("Cuenta creada: {} <{}> ({})", staff.name, staff.email, role.as_str());
            if shown {
                println!("Contraseña: {password}");
            }
        }
        StaffCommand::List { business } => {
            let actor = accounts::business_actor(store, &business).await?;
            for staff in store.list_staff(&actor).await? {
                println!("{}\t{}\t{}", staff.email, staff.role.as_str(), staff.name);
            }
        }
        StaffCommand::SetPassword { business, email, password } => {
            let actor = accounts::business_actor(store, &business).await?;
            let shown = password.is_none();
            let password = accounts::set_password(store, &actor, &email, password).await?;
            println!("Contraseña cambiada para {email}; sus sesiones abiertas se cerraron.");
            if shown {
                println!("Contraseña: {password}");
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn token(store: &dyn Store, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { business, name } => {
            let actor = accounts::business_actor(store, &business).await?;
            let token = ficha_web::auth::secret::generate_api_token()
                .map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
            store
                .create_api_token(&actor, name.trim(), &ficha_web::auth::secret::hash(&token))
                .await
                .context("creating the token")?;
            println!("Token «{}» creado (se muestra solo esta vez):\n{token}", name.trim());
        }
    }
    store.close().await;
    Ok(())
}
