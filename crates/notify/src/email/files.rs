//! Delivery to files: with no SMTP configured, each email is written as
//! `{message id}.eml` under one folder (the data folder's `correo/`), where
//! any mail client opens it. Named by the message's id, so a resend
//! overwrites its file instead of adding a second one; written to a
//! temporary name and renamed, so a crash never leaves half an email.

use std::path::{Path, PathBuf};

use ficha_domain::MessageId;

use crate::SendError;

pub struct Files {
    folder: PathBuf,
}

impl Files {
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self { folder: folder.into() }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Where the message's email is (or will be).
    pub fn path_of(&self, id: MessageId) -> PathBuf {
        self.folder.join(format!("{id}.eml"))
    }

    pub async fn deliver(&self, id: MessageId, email: &[u8]) -> Result<Option<String>, SendError> {
        let path = self.path_of(id);
        let partial = self.folder.join(format!(".{id}.eml.partial"));
        let failed = |e: std::io::Error| SendError::Temporary(format!("No se pudo escribir {}: {e}", path.display()));
        tokio::fs::create_dir_all(&self.folder).await.map_err(failed)?;
        tokio::fs::write(&partial, email).await.map_err(failed)?;
        tokio::fs::rename(&partial, &path).await.map_err(failed)?;
        Ok(None)
    }
}
