//! The transports against real servers: a real SMTP server (Python's
//! aiosmtpd, started per test as its own process) and a local HTTP server
//! speaking the WhatsApp Cloud API's shapes. One test binary, one harness.

mod files;
mod harness;
mod smtp;
mod whatsapp;
mod worker;
