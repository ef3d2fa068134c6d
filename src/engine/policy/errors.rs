//! What can be wrong with one setting's value, with a stable code for each
//! kind so that the options page can word it in the user's language.

use thiserror::Error;

use crate::engine::domain::DomainError;

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SettingError {
    /// No setting has this name.
    #[error("there is no such setting")]
    UnknownKey,
    /// The value has the wrong JSON type.
    #[error("expected {expected}")]
    WrongType {
        /// What the setting takes, in words.
        expected: &'static str,
    },
    /// A number outside the allowed range.
    #[error("must be a whole number from {min} to {max}")]
    OutOfRange {
        /// Smallest allowed value.
        min: u32,
        /// Largest allowed value.
        max: u32,
    },
    /// A word that is not one of the choices.
    #[error("`{value}` is not one of: {allowed}")]
    NotAChoice {
        /// What was given.
        value: String,
        /// The choices, comma-separated.
        allowed: &'static str,
    },
    /// A list entry that is not a domain.
    #[error("`{value}` is not a usable domain: {reason}")]
    InvalidDomain {
        /// What was given.
        value: String,
        /// Why not.
        reason: DomainError,
    },
    /// A consumer-mail domain such as `gmail.com` as internal or trusted: it
    /// would hide every private mailbox there from the rule.
    #[error("`{value}` is a consumer-mail domain; its mailboxes belong to unrelated people")]
    ConsumerDomain {
        /// What was given.
        value: String,
    },
    /// A placeholder that is neither a keyword nor an address.
    #[error("`{value}` is not an email address")]
    InvalidAddress {
        /// What was given.
        value: String,
    },
    /// A host the extension does not run on.
    #[error("`{value}` is not a supported webmail host")]
    UnsupportedHost {
        /// What was given.
        value: String,
    },
    /// An empty host list would switch protection off.
    #[error("at least one webmail host must stay protected")]
    NoHosts,
    /// A list longer than [`MAX_LIST_ENTRIES`](super::MAX_LIST_ENTRIES).
    #[error("at most {max} entries are used; the rest are ignored")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// The admin's policy exists but could not be read (the host passed why,
    /// or a value that is not an object of settings): the strictest settings
    /// apply instead ([`strictest`](super::strictest)).
    #[error("the policy could not be read ({reason}); the strictest settings apply")]
    Unreadable {
        /// Why, as the host said it (technical, English).
        reason: String,
    },
}

impl SettingError {
    /// Every code [`SettingError::code`] can return, each with the number of
    /// substitutions its message takes (the offending value, or none); the
    /// locale tests check that both languages have a message for each.
    pub const CODES: [(&'static str, usize); 12] = [
        ("unknownKey", 0),
        ("wrongType", 0),
        ("outOfRange", 0),
        ("notAChoice", 1),
        ("publicSuffix", 1),
        ("invalidDomain", 1),
        ("consumerDomain", 1),
        ("invalidAddress", 1),
        ("unsupportedHost", 1),
        ("noHosts", 0),
        ("tooMany", 0),
        ("unreadable", 1),
    ];

    /// A stable code for the UI's message catalogue (`settingError_<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            SettingError::UnknownKey => "unknownKey",
            SettingError::WrongType { .. } => "wrongType",
            SettingError::OutOfRange { .. } => "outOfRange",
            SettingError::NotAChoice { .. } => "notAChoice",
            SettingError::InvalidDomain {
                reason: DomainError::PublicSuffix(_),
                ..
            } => "publicSuffix",
            SettingError::InvalidDomain { .. } => "invalidDomain",
            SettingError::ConsumerDomain { .. } => "consumerDomain",
            SettingError::InvalidAddress { .. } => "invalidAddress",
            SettingError::UnsupportedHost { .. } => "unsupportedHost",
            SettingError::NoHosts => "noHosts",
            SettingError::TooMany { .. } => "tooMany",
            SettingError::Unreadable { .. } => "unreadable",
        }
    }

    /// The offending value, where there is one, for the UI to quote.
    pub fn value(&self) -> Option<&str> {
        match self {
            SettingError::NotAChoice { value, .. }
            | SettingError::InvalidDomain { value, .. }
            | SettingError::ConsumerDomain { value }
            | SettingError::InvalidAddress { value }
            | SettingError::UnsupportedHost { value } => Some(value),
            SettingError::Unreadable { reason } => Some(reason),
            _ => None,
        }
    }
}
