//! The pure engine: every decision BCC Guard makes, with no web dependency.
//!
//! Data flows through the modules in this order:
//!
//! 1. a [`compose::Compose`] is what a host read from one compose window;
//! 2. [`recipients`] parses its entries (chips and text, the text by
//!    [`mailbox_list`]) into [`recipients::Recipient`]s, using [`address`]
//!    and [`domain`];
//! 3. [`classify`] sorts them into internal, trusted, external and unreadable,
//!    and finds each external recipient's party ([`public_suffix`], [`consumer`]);
//! 4. [`exposure`] applies the rule and writes the [`exposure::Verdict`];
//! 5. [`plan`] works out the move to Bcc and later verifies it;
//! 6. [`policy`] supplies the settings all of this runs on;
//! 7. [`Engine`] ties the steps together, in the engine's own types, and
//!    [`protocol`] is the versioned request/response format the background
//!    speaks, which reads requests into those types and writes the replies.
//!
//! Imports run one way only, from the modules above down to the leaves
//! ([`text`], [`fold`], [`punycode`], [`hashing`]): no module imports one
//! that imports it back, and no engine module imports `protocol`.

pub mod address;
pub mod classify;
pub mod compose;
pub mod consumer;
pub mod domain;
pub mod exposure;
pub mod fold;
pub mod hashing;
pub mod mailbox_list;
pub mod plan;
pub mod policy;
pub mod protocol;
pub mod public_suffix;
pub mod punycode;
pub mod recipients;
pub mod text;
pub mod uts46;

use serde_json::Value;

use address::Address;
use classify::{Class, Classifier, Matchers};
use compose::Compose;
use exposure::{Context, Verdict};
use plan::{MovePlan, Verification, VerifyError};
use policy::EffectivePolicy;
use recipients::{AddressIds, Recipient};

/// The engine for one effective policy. Building it resolves and compiles the
/// policy; evaluating a compose window then only parses and looks up.
#[derive(Debug, Clone)]
pub struct Engine {
    policy: EffectivePolicy,
    matchers: Matchers,
}

/// The engine's findings about one compose window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation<'a> {
    /// Every recipient read, in field order (To, Cc, Bcc) then entry order;
    /// their text is borrowed from the compose.
    pub recipients: Vec<Recipient<'a>>,
    /// The class of each recipient.
    pub classes: Vec<Class>,
    /// The verdict.
    pub verdict: Verdict,
    /// The move, when there is an exposure and every field was read.
    pub plan: Option<MovePlan>,
}

impl Engine {
    /// An engine for the admin's `managed` policy layered over the user's
    /// settings. Either may be `null` or malformed; problems are recorded in
    /// [`Engine::policy`] and never stop the engine from protecting.
    pub fn new(managed: &Value, user: &Value) -> Self {
        let policy = policy::resolve(managed, user);
        let matchers = Matchers::new(&policy.settings);
        Engine { policy, matchers }
    }

    /// An engine for the layers as JSON text, `{"managed": …, "user": …}`:
    /// what every JavaScript boundary receives (`src/wasm.rs`, and the C-ABI
    /// entry in `c-abi/`). `null` is two empty layers. A `managed` layer
    /// that is text says why the admin's policy could not be read (the host
    /// knows one is there but could not get it); then, as for layers that
    /// are not a JSON object at all, the strictest settings are locked in
    /// its place ([`policy::resolve`]): the admin sees the problem, and not
    /// knowing the policy never weakens protection.
    pub fn from_layers_json(layers: &str) -> Self {
        let (managed, user) = match serde_json::from_str::<Value>(layers) {
            Ok(Value::Object(mut object)) => (
                object.remove("managed").unwrap_or(Value::Null),
                object.remove("user").unwrap_or(Value::Null),
            ),
            Ok(Value::Null) => (Value::Null, Value::Null),
            _ => (
                Value::String("policy layers that are not a JSON object".into()),
                Value::Null,
            ),
        };
        Engine::new(&managed, &user)
    }

    /// The effective policy, with locks and problems.
    pub fn policy(&self) -> &EffectivePolicy {
        &self.policy
    }

    /// Parses, classifies and judges a compose window, and plans the move.
    pub fn evaluate<'a>(&self, compose: &'a Compose<'_>) -> Evaluation<'a> {
        let recipients = compose.recipients();
        let account = compose.account();
        let ids = AddressIds::new(&recipients);
        let (classes, mut verdict) =
            self.judge(&recipients, &ids, compose.complete, account.as_ref());
        if !self.protects(compose.host.as_deref()) {
            verdict = Verdict::unprotected(verdict);
        }
        let plan =
            (verdict.action != exposure::Action::None && compose.complete && verdict.is_exposure())
                .then(|| {
                    plan::plan(
                        &recipients,
                        &classes,
                        &ids,
                        &self.policy.settings,
                        account.as_ref(),
                    )
                });
        Evaluation {
            recipients,
            classes,
            verdict,
            plan,
        }
    }

    /// Checks the compose window after a move (`after`) against the plan the
    /// engine makes for the compose as it was (`before`). The plan is made
    /// again rather than taken from the caller, so that what is verified is
    /// the engine's plan, not whatever the caller sends.
    pub fn verify(&self, before: &Compose, after: &Compose) -> Result<Verification, VerifyError> {
        let original = self.evaluate(before);
        let plan = original.plan.as_ref().ok_or(VerifyError::NothingToVerify)?;
        let expected = plan::expected(plan, &original.recipients);
        let recipients = after.recipients();
        let ids = AddressIds::new(&recipients);
        let (_, verdict) = self.judge(&recipients, &ids, after.complete, after.account().as_ref());
        Ok(plan::verify(expected, &recipients, verdict))
    }

    /// Whether the guard runs on `host`. An absent or empty host is always
    /// protected: not knowing where we are must never switch protection off.
    /// `protectedHosts` chooses among the built-in webmails; any other host
    /// (a Roundcube the user or the admin added) runs the content script only
    /// because it was granted for that purpose, so it is protected too.
    pub fn protects(&self, host: Option<&str>) -> bool {
        let host = host
            .unwrap_or("")
            .trim()
            .trim_end_matches('.')
            .to_ascii_lowercase();
        host.is_empty()
            || self.policy.settings.protected_hosts.contains(&host)
            || !policy::SUPPORTED_HOSTS.contains(&host.as_str())
    }

    fn judge(
        &self,
        recipients: &[Recipient<'_>],
        ids: &AddressIds,
        complete: bool,
        account: Option<&Address<'_>>,
    ) -> (Vec<Class>, Verdict) {
        let classifier = Classifier::new(&self.matchers, account);
        let classified = classifier.classify_all(recipients, ids);
        let context = Context {
            settings: &self.policy.settings,
            complete,
            knows_organisation: classifier.knows_organisation(&self.policy.settings),
            policy_unreadable: self.policy.managed_unreadable,
            action_locked: self.policy.locked.contains(&policy::Key::Action),
        };
        let verdict = exposure::evaluate(recipients, &classified, ids, context);
        (
            classified.recipients.iter().map(|c| c.class).collect(),
            verdict,
        )
    }
}
