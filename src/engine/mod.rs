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
pub mod plan;
pub mod policy;
pub mod protocol;
pub mod public_suffix;
pub mod punycode;
pub mod recipients;

use serde_json::Value;

use address::Address;
use classify::{Class, Classifier, Matchers};
use exposure::{Context, Verdict};
use plan::{Fields, MovePlan, Verification};
use policy::EffectivePolicy;
use protocol::Compose;
use recipients::Recipient;

/// The engine for one effective policy. Building it resolves and compiles the
/// policy; evaluating a compose window then only parses and looks up.
#[derive(Debug, Clone)]
pub struct Engine {
    policy: EffectivePolicy,
    matchers: Matchers,
}

/// The engine's findings about one compose window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// Every recipient read, in field order (To, Cc, Bcc) then entry order.
    pub recipients: Vec<Recipient>,
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

    /// The effective policy, with locks and problems.
    pub fn policy(&self) -> &EffectivePolicy {
        &self.policy
    }

    /// Parses, classifies and judges a compose window, and plans the move.
    pub fn evaluate(&self, compose: &Compose) -> Evaluation {
        let recipients = compose.recipients();
        let account = compose.account();
        let (classes, mut verdict) = self.judge(&recipients, compose.complete, account.as_ref());
        if !self.protects(compose.host.as_deref()) {
            verdict = Verdict::unprotected(verdict);
        }
        let plan = (verdict.action != exposure::Action::None
            && compose.complete
            && verdict.exposed_parties >= self.policy.settings.min_exposed_parties)
            .then(|| {
                plan::plan(
                    &recipients,
                    &classes,
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

    /// Checks the compose window after a move against the plan's `after`.
    pub fn verify(&self, compose: &Compose, expected: &Fields) -> Verification {
        let recipients = compose.recipients();
        let account = compose.account();
        let (_, verdict) = self.judge(&recipients, compose.complete, account.as_ref());
        plan::verify(expected, &recipients, verdict)
    }

    /// Whether the guard runs on `host` (an absent host is always protected).
    pub fn protects(&self, host: Option<&str>) -> bool {
        host.is_none_or(|host| {
            let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
            self.policy.settings.protected_hosts.contains(&host)
        })
    }

    fn judge(
        &self,
        recipients: &[Recipient],
        complete: bool,
        account: Option<&Address>,
    ) -> (Vec<Class>, Verdict) {
        let classifier = Classifier::new(&self.matchers, account);
        let classified: Vec<_> = recipients
            .iter()
            .enumerate()
            .map(|(index, recipient)| classifier.classify(index, recipient))
            .collect();
        let context = Context {
            settings: &self.policy.settings,
            complete,
            knows_organisation: classifier.knows_organisation(&self.policy.settings),
        };
        let verdict = exposure::evaluate(recipients, &classified, context);
        (
            classified.into_iter().map(|(class, _)| class).collect(),
            verdict,
        )
    }
}
