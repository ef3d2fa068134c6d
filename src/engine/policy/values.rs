//! The types settings hold, besides lists and plain numbers: the choices
//! (`warn`/`block`, `external`/`all`), the To placeholder, and the webmail
//! hosts the extension runs on.

use serde::{Deserialize, Serialize, Serializer};

use crate::engine::address::Address;

/// The webmail hosts the extension's content scripts run on: every `hosts`
/// entry of `data/webmail-hosts.json`, in the file's order. `build.rs` writes
/// the list from the file, and the build fails if the file is malformed, so
/// the engine cannot disagree with the manifest, the adapters and the schema
/// that are written from the same file.
pub const SUPPORTED_HOSTS: &[&str] = &include!(concat!(env!("OUT_DIR"), "/webmail_hosts.rs"));

/// [`SUPPORTED_HOSTS`] as the default of `protectedHosts`: all of them.
pub(super) fn supported_hosts() -> Vec<String> {
    SUPPORTED_HOSTS.iter().map(|h| (*h).to_owned()).collect()
}

/// A setting's type that is one of a few words. `choice!` implements it;
/// `read::choice` reads any such type from JSON.
pub(super) trait Choice: Copy + 'static {
    /// Each word with the value it stands for.
    const CHOICES: &'static [(&'static str, Self)];
    /// The words, comma-separated, for the message that names them.
    const ALLOWED: &'static str;
}

/// Declares a [`Choice`] from one list of `Variant = "word"`: the enum, its
/// serialisation as the words (in the `policy` reply and the stored form),
/// and the table `read::choice` reads it with. Attributes before `pub enum`
/// (doc comments, further derives) are kept.
macro_rules! choice {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$first_meta:meta])* $first:ident = $first_word:literal,
            $($(#[$variant_meta:meta])* $variant:ident = $word:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
        pub enum $name {
            $(#[$first_meta])*
            #[serde(rename = $first_word)]
            $first,
            $(
                $(#[$variant_meta])*
                #[serde(rename = $word)]
                $variant,
            )*
        }

        impl Choice for $name {
            const CHOICES: &'static [(&'static str, Self)] =
                &[($first_word, $name::$first) $(, ($word, $name::$variant))*];
            const ALLOWED: &'static str = concat!($first_word $(, ", ", $word)*);
        }
    };
}

choice! {
    /// What happens when recipients would be exposed.
    pub enum PolicyAction {
        /// Stop the send and explain; the user may move, send anyway or cancel.
        Warn = "warn",
        /// Stop the send; the user may move or cancel, never send as it is.
        Block = "block",
    }
}

choice! {
    /// Which recipients the move puts in Bcc.
    #[derive(Deserialize)]
    pub enum MoveStrategy {
        /// Only the exposed (external, untrusted) recipients.
        External = "external",
        /// Every recipient of To and Cc.
        All = "all",
    }
}

choice! {
    /// What the content script does with a send it sees in a compose it
    /// cannot read (the page changed under it: the compose is "blind").
    pub enum WhenBlind {
        /// Fail closed: the send is held and the "could not check" dialog
        /// opens (with "Send anyway" only where the policy allows it).
        Ask = "ask",
        /// The send goes on; the toolbar badge and the notice said before it
        /// that the compose is not protected.
        Notice = "notice",
    }
}

/// What goes into To when the move would leave it empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placeholder {
    /// The signed-in account's own address.
    Sender,
    /// Nothing: To stays empty.
    None,
    /// A fixed address, such as `undisclosed-recipients@example.com`.
    Address(Address<'static>),
}

impl Serialize for Placeholder {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Placeholder::Sender => serializer.serialize_str("sender"),
            Placeholder::None => serializer.serialize_str("none"),
            Placeholder::Address(address) => serializer.serialize_str(address.spec()),
        }
    }
}
