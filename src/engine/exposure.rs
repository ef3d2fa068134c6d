//! The exposure rule and its verdict.
//!
//! Exposure is about who learns whose address. Every recipient of a mail —
//! To, Cc *and* Bcc — receives the To and Cc headers, so an address in To or
//! Cc is shown to everyone the mail goes to, while an address in Bcc is shown
//! to no one. Colleagues (internal) and partners (trusted) seeing addresses is
//! business as usual; what must not happen is unrelated outsiders learning
//! each other's addresses.
//!
//! So the rule has two parts:
//!
//! - the *exposed* recipients are the distinct external (or unreadable)
//!   recipients in To and Cc: their addresses are on show;
//! - the *audience* is the set of distinct external (or unreadable) *parties*
//!   the mail reaches through any field, Bcc included: they are who sees.
//!
//! There is an exposure when at least one recipient is exposed and the
//! audience spans at least `min_exposed_parties` parties. One customer in To
//! and thirty in Bcc is an exposure (the thirty learn the one's address); a
//! mail whose To and Cc hold only colleagues and partners never is, whatever
//! Bcc holds.

use serde::Serialize;

use super::classify::{Class, Classification, Party};
use super::hashing::FastMap;
use super::policy::{PolicyAction, Settings, WhenBlind};
use super::recipients::{AddressIds, Recipient};

/// What the content script should do with the send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Let the send through.
    None,
    /// Stop it and explain; "Send anyway" may be offered.
    Warn,
    /// Stop it; the user must move the recipients or cancel, and "Send
    /// anyway" is never offered. An incomplete read under a blocking policy
    /// is a block too.
    Block,
}

/// Why the verdict is what it is, for the dialog to render from the message
/// catalogue: the message name is `reason_` followed by the code, and `args`
/// fill its placeholders `$1`, `$2`… in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Which message.
    pub code: ReasonCode,
    /// Its substitutions.
    pub args: Vec<String>,
}

/// The reasons the engine can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReasonCode {
    /// `$1` external recipients from `$2` unrelated parties would see each other.
    Exposure,
    /// `$1` external recipients in To or Cc would be seen by `$2` further
    /// unrelated parties that receive the mail through Bcc only.
    Audience,
    /// `$1` recipients could not be read and are counted as external.
    Unreadable,
    /// `$1` is shown as a name but the address is `$2`.
    DeceptiveName,
    /// The recipients could not be read completely.
    IncompleteRead,
    /// No internal domain is known, so every recipient counts as external.
    NoOrganisation,
    /// The organisation's policy does not allow sending as it is.
    Blocked,
    /// The user's own settings (`action: block`, which the admin did not
    /// set) do not allow sending as it is.
    BlockedBySettings,
    /// The organisation's policy could not be read, so the strictest
    /// settings apply: the send is blocked (in place of `Blocked`).
    PolicyUnreadable,
}

impl ReasonCode {
    /// Every code with the number of arguments its message takes; the locale
    /// tests check each has a message with that many placeholders.
    pub const ALL: [(ReasonCode, usize); 9] = [
        (ReasonCode::Exposure, 2),
        (ReasonCode::Audience, 2),
        (ReasonCode::Unreadable, 1),
        (ReasonCode::DeceptiveName, 2),
        (ReasonCode::IncompleteRead, 0),
        (ReasonCode::NoOrganisation, 0),
        (ReasonCode::Blocked, 0),
        (ReasonCode::BlockedBySettings, 0),
        (ReasonCode::PolicyUnreadable, 0),
    ];
}

/// How the exposed recipients of one group are related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupKind {
    /// One organisation: one party however many recipients.
    Organisation,
    /// Individual mailboxes at one consumer-mail provider: a party each.
    Mailboxes,
    /// Unreadable tokens: a party each.
    Unreadable,
}

/// Exposed recipients that belong together, for the dialog's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// How they are related.
    pub kind: GroupKind,
    /// The organisation's registrable domain or the provider's domain; empty
    /// for unreadable tokens.
    pub domain: String,
    /// How many parties the group holds.
    pub parties: u32,
    /// Indices of its recipients, one per distinct address.
    pub recipients: Vec<u32>,
}

/// The engine's answer about one compose window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Verdict {
    /// None, warn or block.
    pub action: Action,
    /// Whether the dialog may offer "Send anyway": the verdict stops the
    /// send and the policy allows sending despite it.
    pub send_anyway: bool,
    /// Whether the policy lets the user send despite a warning at all
    /// ([`policy_allows_send_anyway`]), whatever this verdict is. Hosts
    /// remember it for the one case the engine cannot be asked: when the
    /// check itself fails.
    pub policy_allows_send_anyway: bool,
    /// What a send in a compose the host cannot read does (the `whenBlind`
    /// setting; `notice` on a host the policy does not protect, where
    /// nothing is held). Hosts remember it, as `policy_allows_send_anyway`,
    /// for composes they cannot ask about.
    pub when_blind: WhenBlind,
    /// Whether the host shows this verdict in the compose as it is written
    /// (the `composeNotice` setting), not only when Send is pressed.
    pub compose_notice: bool,
    /// Distinct exposed addresses (and unreadable tokens) in To and Cc.
    pub exposed_recipients: u32,
    /// Distinct parties among them.
    pub exposed_parties: u32,
    /// Distinct external (and unreadable) parties the mail reaches through
    /// any field: everyone who sees the exposed addresses. The rule compares
    /// this with the threshold.
    pub audience_parties: u32,
    /// How many of the audience parties receive the mail through Bcc only
    /// (`audience_parties - exposed_parties`).
    pub bcc_only_parties: u32,
    /// The threshold that was applied.
    pub min_exposed_parties: u32,
    /// Distinct internal addresses in To and Cc.
    pub internal_recipients: u32,
    /// Distinct trusted addresses in To and Cc.
    pub trusted_recipients: u32,
    /// The exposed recipients, grouped; largest groups first.
    pub groups: Vec<Group>,
    /// What the dialog should say.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// Whether the rule finds an exposure: someone is on show and the
    /// audience reaches the threshold. (The action can also be a warning
    /// because the read was incomplete.)
    pub fn is_exposure(&self) -> bool {
        self.exposed_recipients > 0 && self.audience_parties >= self.min_exposed_parties
    }

    /// The verdict on a host the policy does not protect: the counts stay
    /// (they are facts), but nothing is stopped and nothing is listed.
    pub fn unprotected(verdict: Verdict) -> Verdict {
        Verdict {
            action: Action::None,
            send_anyway: false,
            when_blind: WhenBlind::Notice,
            groups: Vec::new(),
            reasons: Vec::new(),
            ..verdict
        }
    }
}

/// What the rule needs to know besides the recipients.
#[derive(Debug, Clone, Copy)]
pub struct Context<'s> {
    /// The effective settings.
    pub settings: &'s Settings,
    /// Whether the content script read every recipient field.
    pub complete: bool,
    /// Whether some internal domain is known.
    pub knows_organisation: bool,
    /// Whether the admin's policy could not be read, so that `settings` are
    /// the strictest ones standing in for it.
    pub policy_unreadable: bool,
    /// Whether the admin's policy set `action`, so that a block is the
    /// organisation's rather than the user's own choice.
    pub action_locked: bool,
}

/// Applies the rule to classified recipients (`classified.recipients[i]`
/// belongs to `recipients[i]`).
pub fn evaluate(
    recipients: &[Recipient<'_>],
    classified: &Classification<'_>,
    ids: &AddressIds,
    context: Context<'_>,
) -> Verdict {
    let settings = context.settings;
    let classes = classified.recipients.as_slice();
    let mut seen = vec![false; ids.len()];
    // Whether each party has been met, by its number. The first meeting
    // decides where it counts: the pass below meets every To and Cc
    // recipient before any Bcc one, so a party in both counts on show.
    let mut met = vec![false; classified.parties];
    let (mut shown, mut hidden) = (0usize, 0usize);
    let mut exposed: Vec<usize> = Vec::new();
    let (mut internal, mut trusted, mut unreadable) = (0u32, 0u32, 0u32);
    let mut deceptive: Option<&Recipient<'_>> = None;

    // Two passes, To and Cc before Bcc, so that an address repeated in Bcc
    // is counted where it is on show whatever order the recipients come in.
    let visible = recipients.iter().zip(classes).enumerate();
    for (index, (recipient, classified)) in visible
        .clone()
        .filter(|(_, (r, _))| r.field.is_visible())
        .chain(visible.filter(|(_, (r, _))| !r.field.is_visible()))
    {
        if recipient.deceptive_name && deceptive.is_none() {
            deceptive = Some(recipient);
        }
        // Each distinct address counts once, whichever field it is repeated in.
        if let Some(flag) = ids.of(index).and_then(|id| seen.get_mut(id)) {
            if std::mem::replace(flag, true) {
                continue;
            }
        }
        let on_show = recipient.field.is_visible();
        match classified.class {
            Class::Internal if on_show => internal += 1,
            Class::Trusted if on_show => trusted += 1,
            Class::Internal | Class::Trusted => {}
            Class::External | Class::Unreadable => {
                let first_meeting = classified
                    .party
                    .and_then(|(_, number)| met.get_mut(number as usize))
                    .is_some_and(|flag| !std::mem::replace(flag, true));
                match (first_meeting, on_show) {
                    (true, true) => shown += 1,
                    (true, false) => hidden += 1,
                    (false, _) => {}
                }
                if on_show {
                    if classified.class == Class::Unreadable {
                        unreadable += 1;
                    }
                    exposed.push(index);
                }
            }
        }
    }

    let exposed_parties = count(shown);
    let bcc_only_parties = count(hidden);
    let audience_parties = exposed_parties.saturating_add(bcc_only_parties);
    let is_exposure = !exposed.is_empty() && audience_parties >= settings.min_exposed_parties;
    // An incomplete read may hide an exposure, so it is stopped as one would
    // be: under a blocking policy it blocks, and "Send anyway" is never
    // offered where the policy does not allow it for an exposure either.
    let action = match (is_exposure || !context.complete, settings.action) {
        (false, _) => Action::None,
        (true, PolicyAction::Block) => Action::Block,
        (true, PolicyAction::Warn) => Action::Warn,
    };
    let policy_allows_send_anyway = policy_allows_send_anyway(settings);

    let mut reasons = Vec::new();
    if !context.complete {
        reasons.push(Reason {
            code: ReasonCode::IncompleteRead,
            args: Vec::new(),
        });
    }
    if is_exposure {
        // The recipients on show are enough to see each other; otherwise it
        // is the Bcc recipients who would learn the addresses on show.
        let (code, seen_by) = if exposed_parties >= settings.min_exposed_parties {
            (ReasonCode::Exposure, exposed_parties)
        } else {
            (ReasonCode::Audience, bcc_only_parties)
        };
        reasons.push(Reason {
            code,
            args: vec![exposed.len().to_string(), seen_by.to_string()],
        });
        if unreadable > 0 {
            reasons.push(Reason {
                code: ReasonCode::Unreadable,
                args: vec![unreadable.to_string()],
            });
        }
        if !context.knows_organisation {
            reasons.push(Reason {
                code: ReasonCode::NoOrganisation,
                args: Vec::new(),
            });
        }
    }
    if action == Action::Block {
        // Say why it is blocked: the organisation decided so, its policy
        // could not be read and the strictest settings stand in for it, or
        // the user chose to block.
        reasons.push(Reason {
            code: if context.policy_unreadable {
                ReasonCode::PolicyUnreadable
            } else if context.action_locked {
                ReasonCode::Blocked
            } else {
                ReasonCode::BlockedBySettings
            },
            args: Vec::new(),
        });
    }
    if action != Action::None {
        if let Some(recipient) = deceptive {
            let address = recipient.address.as_ref().map(|a| a.key().to_owned());
            reasons.push(Reason {
                code: ReasonCode::DeceptiveName,
                args: vec![
                    recipient.name.as_deref().unwrap_or_default().to_owned(),
                    address.unwrap_or_default(),
                ],
            });
        }
    }

    Verdict {
        action,
        send_anyway: action != Action::None && policy_allows_send_anyway,
        policy_allows_send_anyway,
        when_blind: settings.when_blind,
        compose_notice: settings.compose_notice,
        exposed_recipients: count(exposed.len()),
        exposed_parties,
        audience_parties,
        bcc_only_parties,
        min_exposed_parties: settings.min_exposed_parties,
        internal_recipients: internal,
        trusted_recipients: trusted,
        groups: if action == Action::None {
            Vec::new()
        } else {
            group(recipients, classified, &exposed)
        },
        reasons,
    }
}

/// Whether the policy lets the user send despite a warning at all: only a
/// warning policy that allows it. The one definition behind both the
/// verdict's `send_anyway` and its `policy_allows_send_anyway`, so that no
/// verdict offers what the policy forbids.
pub fn policy_allows_send_anyway(settings: &Settings) -> bool {
    settings.action == PolicyAction::Warn && settings.allow_send_anyway
}

/// Groups exposed recipients by organisation, by consumer provider, and
/// unreadable tokens together.
fn group(
    recipients: &[Recipient<'_>],
    classified: &Classification<'_>,
    exposed: &[usize],
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    // An organisation's group by its party number; a provider's mailboxes
    // and the unreadable tokens, which are parties of their own, by name.
    let mut by_organisation: Vec<Option<usize>> = vec![None; classified.parties];
    let mut by_name: FastMap<(GroupKind, &str), usize> = FastMap::default();
    for &index in exposed {
        let party = classified.recipients.get(index).and_then(|c| c.party);
        let (kind, domain) = match party {
            Some((Party::Organisation(domain), _)) => (GroupKind::Organisation, domain),
            Some((Party::Mailbox(_), _)) => (
                GroupKind::Mailboxes,
                recipients
                    .get(index)
                    .and_then(|r| r.address.as_ref())
                    .map_or("", |a| a.domain()),
            ),
            Some((Party::Unknown(_), _)) | None => (GroupKind::Unreadable, ""),
        };
        let mut new_group = || {
            groups.push(Group {
                kind,
                domain: domain.to_owned(),
                parties: 0,
                // Room for a few from the start: growing every group's
                // list from empty was 2 % of a 1,000-chip call.
                recipients: Vec::with_capacity(8),
            });
            groups.len() - 1
        };
        let organisation = match (kind, party) {
            (GroupKind::Organisation, Some((_, number))) => {
                by_organisation.get_mut(number as usize)
            }
            _ => None,
        };
        let slot = match organisation {
            Some(Some(slot)) => *slot,
            Some(place) => *place.insert(new_group()),
            None => *by_name.entry((kind, domain)).or_insert_with(new_group),
        };
        if let Some(group) = groups.get_mut(slot) {
            group.recipients.push(count(index));
            if kind != GroupKind::Organisation || group.parties == 0 {
                group.parties += 1;
            }
        }
    }
    // Largest first; unreadable tokens last, because the dialog asks the user
    // to look at them separately; then alphabetical for a stable order.
    groups.sort_by(|a, b| {
        (a.kind == GroupKind::Unreadable)
            .cmp(&(b.kind == GroupKind::Unreadable))
            .then(b.recipients.len().cmp(&a.recipients.len()))
            .then(a.domain.cmp(&b.domain))
    });
    groups
}

/// Counts fit in u32: a compose window cannot hold four billion recipients.
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
