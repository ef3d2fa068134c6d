//! The pure engine: every decision BCC Guard makes, with no web dependency.
//!
//! Data flows through the modules in this order:
//!
//! 1. [`recipients`] parses what the content script read (chips and text) into
//!    [`recipients::Recipient`]s, using [`address`] and [`domain`];
//! 2. [`classify`] sorts them into internal, trusted, external and unreadable,
//!    and finds each external recipient's party ([`public_suffix`], [`consumer`]);
//! 3. [`exposure`] applies the rule and writes the [`exposure::Verdict`];
//! 4. [`plan`] works out the move to Bcc and later verifies it;
//! 5. [`policy`] supplies the settings all of this runs on;
//! 6. [`protocol`] is the versioned request/response format the background
//!    speaks, and [`Engine`] ties the steps together.

pub mod address;
pub mod classify;
pub mod consumer;
pub mod domain;
pub mod exposure;
pub mod fold;
pub mod hashing;
pub mod plan;
pub mod policy;
pub mod protocol;
pub mod public_suffix;
pub mod punycode;
pub mod recipients;
pub mod uts46;

use serde_json::Value;

use address::Address;
use classify::{Class, Classifier, Matchers};
use exposure::{Context, Verdict};
use plan::{MovePlan, Verification};
use policy::EffectivePolicy;
use protocol::Compose;
use recipients::{Identities, Recipient};

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
        let identities = Identities::new(&recipients);
        let (classes, mut verdict) =
            self.judge(&recipients, &identities, compose.complete, account.as_ref());
        if !self.protects(compose.host.as_deref()) {
            verdict = Verdict::unprotected(verdict);
        }
        let plan =
            (verdict.action != exposure::Action::None && compose.complete && verdict.is_exposure())
                .then(|| {
                    plan::plan(
                        &recipients,
                        &classes,
                        &identities,
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
    pub fn verify(
        &self,
        before: &Compose,
        after: &Compose,
    ) -> Result<Verification, protocol::ProtocolError> {
        let original = self.evaluate(before);
        let plan = original
            .plan
            .as_ref()
            .ok_or(protocol::ProtocolError::NothingToVerify)?;
        let expected = plan::expected(plan, &original.recipients);
        let recipients = after.recipients();
        let identities = Identities::new(&recipients);
        let (_, verdict) = self.judge(
            &recipients,
            &identities,
            after.complete,
            after.account().as_ref(),
        );
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
        identities: &Identities,
        complete: bool,
        account: Option<&Address<'_>>,
    ) -> (Vec<Class>, Verdict) {
        let classifier = Classifier::new(&self.matchers, account);
        let classified = classifier.classify_all(recipients, identities);
        let context = Context {
            settings: &self.policy.settings,
            complete,
            knows_organisation: classifier.knows_organisation(&self.policy.settings),
            policy_unreadable: self.policy.managed_unreadable,
        };
        let verdict = exposure::evaluate(recipients, &classified, identities, context);
        (
            classified.into_iter().map(|(class, _)| class).collect(),
            verdict,
        )
    }
}
