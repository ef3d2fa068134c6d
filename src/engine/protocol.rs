//! The versioned message format between the content scripts, the background
//! and the engine.
//!
//! Every request carries `v` (the protocol version) and `kind`:
//!
//! | kind       | carries                        | answer                                   |
//! |------------|--------------------------------|------------------------------------------|
//! | `evaluate` | `compose`                      | `recipients`, `verdict`, `plan` or null  |
//! | `verify`   | `compose` (after a move), `original` (the compose the plan was made for) | `verification` |
//! | `policy`   | nothing                        | `policy` (settings, locks, problems, `builtInConsumerDomains`) |
//! | `validate` | `settings` (what the options page is about to save) | `validation` (`normalized`, `problems`) |
//!
//! Every answer carries `v`, `ok` and `kind`; a failed one carries
//! `error: {code, message}` instead of a result. Everything is plain JSON:
//! objects, arrays, strings, numbers, booleans and null, so it survives
//! `runtime.sendMessage` and `storage` unchanged.

use std::borrow::Cow;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use thiserror::Error;

use super::address::Address;
use super::classify::Class;
use super::compose::Compose;
use super::exposure::Action;
use super::plan::{Verification, VerifyError};
use super::policy::{self, EffectivePolicy, UserValidation};
use super::recipients::{Field, Recipient};
use super::text::truncate;
use super::{Engine, Evaluation};

mod read;
mod reply;
mod scan;

pub use scan::ReadError;

/// The protocol version this engine speaks.
pub const VERSION: u32 = 1;

/// A request, as sent by a content script or extension page. Its text is
/// borrowed from the JSON it was read from wherever that needs no unescaping
/// (`read` explains how it is read). Absent members take the defaults below.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Protocol version; must equal [`VERSION`].
    pub v: u32,
    /// `evaluate`, `verify`, `policy` or `validate`.
    pub kind: Cow<'a, str>,
    /// The compose window, for `evaluate`, and for `verify` as it is after
    /// the move.
    pub compose: Option<Compose<'a>>,
    /// For `verify`: the compose as it was when the plan was made.
    pub original: Option<Compose<'a>>,
    /// For `validate`: the user's settings as the options page would save
    /// them, any JSON (its problems are reported, never an error).
    pub settings: Option<serde_json::Value>,
}

/// Why a request could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtocolError {
    /// The sender speaks another version.
    #[error("protocol version {got} is not supported; this engine speaks version {VERSION}")]
    UnsupportedVersion {
        /// The version the request carried.
        got: u32,
    },
    /// `kind` names no request.
    #[error("unknown request kind `{0}`")]
    UnknownKind(String),
    /// A field the kind needs is missing.
    #[error("the request lacks `{0}`")]
    Missing(&'static str),
    /// The request is not shaped like a request.
    #[error("malformed request: {0}")]
    Malformed(String),
    /// `verify` was asked about a compose that needs no move.
    #[error("the original compose needs no move, so there is nothing to verify")]
    NothingToVerify,
    /// The engine failed while answering (in the WASM: it trapped).
    #[error("the engine failed: {0}")]
    Internal(String),
}

impl ProtocolError {
    /// A stable code for programs.
    pub fn code(&self) -> &'static str {
        match self {
            ProtocolError::UnsupportedVersion { .. } => "unsupportedVersion",
            ProtocolError::UnknownKind(_) => "unknownKind",
            ProtocolError::Missing(_) => "missing",
            ProtocolError::Malformed(_) => "malformed",
            ProtocolError::NothingToVerify => "nothingToVerify",
            ProtocolError::Internal(_) => "internal",
        }
    }
}

impl From<VerifyError> for ProtocolError {
    fn from(error: VerifyError) -> Self {
        match error {
            VerifyError::NothingToVerify => ProtocolError::NothingToVerify,
        }
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub enum Response<'a> {
    /// To `evaluate`.
    Evaluate(Evaluation<'a>),
    /// To `verify`.
    Verify(Verification),
    /// To `policy`.
    Policy(EffectivePolicy),
    /// To `validate`.
    Validate(UserValidation),
    /// To anything that failed.
    Error(ProtocolError),
}

impl Engine {
    /// Answers a request. Never panics on bad input: every problem becomes an
    /// error response.
    pub fn handle<'a>(&self, request: &'a Request<'_>) -> Response<'a> {
        if request.v != VERSION {
            return Response::Error(ProtocolError::UnsupportedVersion { got: request.v });
        }
        match &*request.kind {
            "evaluate" => match &request.compose {
                Some(compose) => Response::Evaluate(self.evaluate(compose)),
                None => Response::Error(ProtocolError::Missing("compose")),
            },
            "verify" => match (&request.original, &request.compose) {
                (Some(before), Some(after)) => match self.verify(before, after) {
                    Ok(verification) => Response::Verify(verification),
                    Err(error) => Response::Error(error.into()),
                },
                (None, _) => Response::Error(ProtocolError::Missing("original")),
                (_, None) => Response::Error(ProtocolError::Missing("compose")),
            },
            "policy" => Response::Policy(self.policy().clone()),
            "validate" => match &request.settings {
                Some(settings) => Response::Validate(policy::validate_user(settings)),
                None => Response::Error(ProtocolError::Missing("settings")),
            },
            other => Response::Error(ProtocolError::UnknownKind(other.chars().take(64).collect())),
        }
    }
}

impl Engine {
    /// Answers a request given as JSON text with the reply as JSON text: the
    /// entry the WASM boundary calls, and the one the fuzz targets drive.
    /// `inspect` sees the parsed request first (the fault-injection build
    /// uses it). Whatever the bytes are, the answer is a well-formed reply.
    pub fn handle_json_with(&self, request: &[u8], inspect: impl FnOnce(&Request<'_>)) -> Vec<u8> {
        let reply = match Request::from_json(request) {
            Ok(request) => {
                inspect(&request);
                match self.handle(&request) {
                    // The reply that grows with the recipients is written
                    // directly (`reply.rs`), the same bytes serde_json writes.
                    Response::Evaluate(evaluation) => reply::evaluate(&evaluation),
                    other => serde_json::to_vec(&other),
                }
            }
            // Whatever a parser's message holds, a megabyte of input must
            // not come back as a megabyte of error.
            Err(error) => serde_json::to_vec(&Response::Error(ProtocolError::Malformed(truncate(
                &error.to_string(),
            )))),
        };
        // Serialising our own types cannot fail; should it ever, the caller
        // still gets a well-formed error reply.
        reply.unwrap_or_else(|error| {
            let message = serde_json::to_string(&truncate(&error.to_string()))
                .unwrap_or_else(|_| "\"\"".to_owned());
            format!(
                r#"{{"v":{VERSION},"ok":false,"kind":"error","error":{{"code":"internal","message":{message}}}}}"#
            )
            .into_bytes()
        })
    }

    /// [`Engine::handle_json_with`] without an inspection.
    pub fn handle_json(&self, request: &[u8]) -> Vec<u8> {
        self.handle_json_with(request, |_| {})
    }
}

/// The recipients of an `evaluate` answer, as columns: one letter or one
/// value per recipient, in the order of `Evaluation::recipients`, which the
/// verdict's groups and the plan index.
///
/// | column      | holds                                                     | when absent |
/// |-------------|-----------------------------------------------------------|-------------|
/// | `field`     | `t`, `c` or `b` (To, Cc, Bcc), one letter per recipient   | never       |
/// | `class`     | `i`, `t`, `e` or `u` (internal, trusted, external, unreadable) | never  |
/// | `entry`     | the entry of its field each recipient came from           | each entry gave exactly one recipient, in order |
/// | `address`   | the normalised address, `null` where it is the chip's own `address` | all `null` |
/// | `spec`      | how to write the address, where that differs from it      | all `null`  |
/// | `name`      | a display name the text held, `null` for a chip's own name or none | all `null` |
/// | `raw`       | an unreadable token verbatim, `null` for readable ones    | all `null`  |
/// | `deceptive` | the indices of recipients whose name shows another address | none       |
///
/// Why columns: a reply about 1,000 recipients as one object each spent most
/// of its bytes, most of the time it took to write and most of the time the
/// page took to parse (and the browser to pass on) on the same few keys.
/// What the content script sent itself is not repeated either.
/// `completeRecipients` (www/lib/engine-client.js) turns the columns back into
/// one object per recipient for the hosts.
struct RecipientColumns<'a>(&'a Evaluation<'a>);

impl RecipientColumns<'_> {
    /// The `field` letter of a recipient.
    fn field(r: &Recipient<'_>) -> char {
        match r.field {
            Field::To => 't',
            Field::Cc => 'c',
            Field::Bcc => 'b',
        }
    }

    /// The `class` letter of a class.
    fn class(class: Class) -> char {
        match class {
            Class::Internal => 'i',
            Class::Trusted => 't',
            Class::External => 'e',
            Class::Unreadable => 'u',
        }
    }

    /// Whether `entry` is implied: the n-th recipient of each field is its
    /// n-th entry, as with chips only.
    fn entries_implied(recipients: &[Recipient<'_>]) -> bool {
        let mut next = [0u32; 3];
        recipients.iter().all(|r| {
            let slot = &mut next[r.field as usize];
            let implied = r.entry == *slot;
            *slot += 1;
            implied
        })
    }

    /// The `address` of a recipient.
    fn address<'r>(r: &'r Recipient<'_>) -> Option<&'r str> {
        r.address
            .as_ref()
            .map(Address::key)
            .filter(|_| !r.address_from_chip)
    }

    /// The `spec` of a recipient.
    fn spec<'r>(r: &'r Recipient<'_>) -> Option<&'r str> {
        r.address.as_ref().and_then(Address::spec_if_different)
    }

    /// The `name` of a recipient.
    fn name<'r>(r: &'r Recipient<'_>) -> Option<&'r str> {
        r.name.as_deref().filter(|_| !r.name_from_chip)
    }

    /// The `raw` of a recipient.
    fn raw<'r>(r: &'r Recipient<'_>) -> Option<&'r str> {
        r.address.is_none().then_some(r.raw)
    }
}

impl Serialize for RecipientColumns<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let recipients = &self.0.recipients;
        let fields: String = recipients.iter().map(RecipientColumns::field).collect();
        let classes: String = self
            .0
            .classes
            .iter()
            .map(|&class| RecipientColumns::class(class))
            .collect();
        let entries_implied = RecipientColumns::entries_implied(recipients);
        let addresses: Vec<Option<&str>> =
            recipients.iter().map(RecipientColumns::address).collect();
        let specs: Vec<Option<&str>> = recipients.iter().map(RecipientColumns::spec).collect();
        let names: Vec<Option<&str>> = recipients.iter().map(RecipientColumns::name).collect();
        let raws: Vec<Option<&str>> = recipients.iter().map(RecipientColumns::raw).collect();
        let deceptive: Vec<usize> = recipients
            .iter()
            .enumerate()
            .filter_map(|(index, r)| r.deceptive_name.then_some(index))
            .collect();

        let mut s = serializer.serialize_struct("Recipients", 8)?;
        s.serialize_field("field", &fields)?;
        s.serialize_field("class", &classes)?;
        if entries_implied {
            s.skip_field("entry")?;
        } else {
            s.serialize_field("entry", &Column(recipients.iter().map(|r| r.entry)))?;
        }
        for (key, column) in [
            ("address", &addresses),
            ("spec", &specs),
            ("name", &names),
            ("raw", &raws),
        ] {
            if column.iter().any(Option::is_some) {
                s.serialize_field(key, column)?;
            } else {
                s.skip_field(key)?;
            }
        }
        if deceptive.is_empty() {
            s.skip_field("deceptive")?;
        } else {
            s.serialize_field("deceptive", &deceptive)?;
        }
        s.end()
    }
}

/// A sequence written from an iterator, without collecting it first.
struct Column<I>(I);

impl<I: Iterator<Item = u32> + Clone> Serialize for Column<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

impl Serialize for Response<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, ok, fields) = match self {
            Response::Evaluate(_) => ("evaluate", true, 3),
            Response::Verify(_) => ("verify", true, 1),
            Response::Policy(_) => ("policy", true, 1),
            Response::Validate(_) => ("validate", true, 1),
            Response::Error(_) => ("error", false, 1),
        };
        let mut s = serializer.serialize_struct("Response", 3 + fields)?;
        s.serialize_field("v", &VERSION)?;
        s.serialize_field("ok", &ok)?;
        s.serialize_field("kind", kind)?;
        match self {
            Response::Evaluate(evaluation) => {
                // A harmless compose needs only the verdict; the per-recipient
                // detail is for the dialog and the move.
                if evaluation.verdict.action != Action::None {
                    s.serialize_field("recipients", &RecipientColumns(evaluation))?;
                } else {
                    s.skip_field("recipients")?;
                }
                s.serialize_field("verdict", &evaluation.verdict)?;
                s.serialize_field("plan", &evaluation.plan)?;
            }
            Response::Verify(verification) => s.serialize_field("verification", verification)?,
            Response::Policy(policy) => s.serialize_field("policy", policy)?,
            Response::Validate(validation) => s.serialize_field("validation", validation)?,
            Response::Error(error) => s.serialize_field(
                "error",
                &ErrorView {
                    code: error.code(),
                    message: error.to_string(),
                },
            )?,
        }
        s.end()
    }
}

#[derive(Serialize)]
struct ErrorView {
    code: &'static str,
    message: String,
}
