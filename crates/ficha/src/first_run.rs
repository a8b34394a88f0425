//! What `serve` does on a database without businesses: creates one (empty, or
//! the demo) and prints how to sign in.

use ficha_domain::Role;
use ficha_store::Store;

use crate::accounts::{self, Login};
use crate::demo;

pub const FIRST_BUSINESS_SLUG: &str = "mi-negocio";
pub const FIRST_OWNER_EMAIL: &str = "dueno@mi-negocio.cl";

/// Creates the first business if there is none; returns the logins to print.
pub async fn ensure_business(store: &dyn Store, database_url: &str, with_demo: bool) -> anyhow::Result<Vec<Login>> {
    if store.count_businesses().await? > 0 {
        return Ok(Vec::new());
    }
    if with_demo {
        return demo::create(database_url, demo::DEFAULT_SLUG).await;
    }
    let business = accounts::create_business(store, FIRST_BUSINESS_SLUG, "Mi negocio", "America/Santiago").await?;
    let actor = ficha_domain::Actor::System { business: business.id };
    let (_, password) = accounts::add_staff(store, &actor, "Dueño", FIRST_OWNER_EMAIL, Role::Owner, None).await?;
    Ok(vec![Login {
        business: FIRST_BUSINESS_SLUG.into(),
        email: FIRST_OWNER_EMAIL.into(),
        password,
        role: Role::Owner,
    }])
}

/// The panel's sign-in link, with the business filled in when the database
/// holds the business a first start makes (the demo's or the empty one).
pub async fn panel_link(store: &dyn Store, base_url: &str) -> anyhow::Result<String> {
    for slug in [demo::DEFAULT_SLUG, FIRST_BUSINESS_SLUG] {
        if store.business_by_slug(slug).await?.is_some() {
            return Ok(format!("{base_url}/entrar?negocio={slug}"));
        }
    }
    Ok(format!("{base_url}/entrar"))
}

/// The sign-in instructions, in the operator's language (es-CL).
pub fn banner(logins: &[Login], base_url: &str) -> String {
    let mut text =
        String::from("\nPrimer inicio: se crearon estas cuentas (guarda las contraseñas, no se vuelven a mostrar):\n");
    for login in logins {
        let role = match login.role {
            Role::Owner => "dueño",
            Role::Professional => "profesional",
        };
        text.push_str(&format!(
            "  negocio: {}  correo: {}  contraseña: {}  ({role})\n",
            login.business, login.email, login.password
        ));
    }
    if let Some(login) = logins.first() {
        text.push_str(&format!("\nAbre el panel en el navegador:\n  {base_url}/entrar?negocio={}\n", login.business));
        text.push_str(&format!(
            "\nIniciar sesión en la API:\n  curl -c cookies.txt -H 'content-type: application/json' \\\n    -d '{{\"business\":\"{}\",\"email\":\"{}\",\"password\":\"{}\"}}' \\\n    {base_url}/api/v1/auth/login\n",
            login.business, login.email, login.password
        ));
    }
    text
}
