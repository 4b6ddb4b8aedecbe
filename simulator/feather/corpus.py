"""The Feather demo corpus: conversation scripts, stock lines, names and places."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.feather.contract import Json


@dataclass(frozen=True)
class Say:
    """One message; `text` is a str.format template over the session's variables."""

    role: str
    text: str


@dataclass(frozen=True)
class Tool:
    """An assistant tool call and its result; string leaves are templates, "{amount}" a number."""

    name: str
    args: Json
    result: Json


@dataclass(frozen=True)
class Branch:
    """Where the transcript depends on a verdict: the compliant or the failing variant."""

    slot: str  # resolution | refund | verify
    good: tuple[Say, ...]
    bad: tuple[Say, ...]


@dataclass(frozen=True)
class Script:
    """A conversation template for one assistant."""

    key: str
    topics: frozenset[str]  # refund: Refund policy applies; account_change: identity applies
    summary: str
    steps: tuple[Say | Tool | Branch, ...]
    subject: str | None = None
    policy_note: str = ""  # the policy clause a failing refund statement contradicts


def _u(text: str) -> Say:
    """A customer message."""
    return Say("user", text)


def _a(text: str) -> Say:
    """An assistant message."""
    return Say("assistant", text)


_RETURNS_POLICY = (
    "returns-policy-2026-09 allows returns within 30 days of delivery and refunds the purchase "
    "price only, once the carrier scans the return"
)
_BILLING_POLICY = (
    "billing-policy-2026-07 refunds only the duplicate or erroneous charge; credits beyond that "
    "and mid-cycle plan refunds need a supervisor"
)

_VERIFY = Branch(
    "verify",
    good=(
        _a(
            "Sure, I can help with that. Before I pull up the account, can you confirm the ZIP "
            "code on file and the last four digits of the card?"
        ),
        _u("Yeah, it's, uh, {zip}, and the card ends in {last4}."),
    ),
    bad=(_a("Okay, I've pulled up the account for the number you're calling from."),),
)

SCRIPTS: dict[str, tuple[Script, ...]] = {
    "acme": (
        Script(
            "order_status",
            frozenset({"order"}),
            "Customer asked where late order {order} is; assistant shared the UPS ETA.",
            (
                _u("Hi! My order {order} was supposed to arrive {day} and it still isn't here."),
                _a("Sorry for the wait, {name}. Let me look that up for you."),
                Tool(
                    "lookup_order",
                    {"order_id": "{order}"},
                    {
                        "order_id": "{order}",
                        "status": "in_transit",
                        "carrier": "UPS",
                        "eta": "{eta_iso}",
                        "last_scan": "Memphis, TN",
                    },
                ),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Your order {order} is with UPS. It was last scanned in Memphis, TN "
                            "and is now expected on {eta}. You can follow it under Orders > "
                            "Track package."
                        ),
                    ),
                    bad=(
                        _a(
                            "Orders usually arrive within 5-7 business days. Please check back "
                            "later if it hasn't arrived."
                        ),
                    ),
                ),
                _u("ok, and if it doesn't come by then?"),
                _a(
                    "If it hasn't arrived by {eta}, message us here and we'll send a replacement "
                    "at no charge."
                ),
            ),
        ),
        Script(
            "damaged_refund",
            frozenset({"order", "refund"}),
            "Blender from order {order} arrived cracked; customer asked for a refund.",
            (
                _u(
                    "The blender I got (order {order}) arrived with a cracked jar. I'd like my "
                    "money back."
                ),
                _a(
                    "I'm really sorry it arrived damaged, {name}. One moment while I check the "
                    "delivery details."
                ),
                Tool(
                    "lookup_order",
                    {"order_id": "{order}"},
                    {
                        "order_id": "{order}",
                        "status": "delivered",
                        "delivered_at": "{delivered_iso}",
                        "items": [
                            {"sku": "BL-500", "name": "ProBlend 500 Blender", "price": "{amount}"}
                        ],
                    },
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "It was delivered {days_ago} days ago and arrived damaged, so it's "
                            "covered. I've issued a full refund of ${amount} to your original "
                            "payment method; it will post in 3-5 business days."
                        ),
                    ),
                    bad=(
                        _a(
                            "No problem at all! I've refunded ${amount}, added a $25 store "
                            "credit, and you can keep the blender. We refund anything within 90 "
                            "days, no questions asked."
                        ),
                    ),
                ),
                _u("Do I need to send the broken one back?"),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "No need, please recycle it. You'll get an email confirming the refund "
                            "shortly."
                        ),
                    ),
                    bad=(_a("Please check our returns page for instructions."),),
                ),
            ),
            policy_note=_RETURNS_POLICY,
        ),
        Script(
            "address_change",
            frozenset({"order"}),
            "Customer moved; asked to change the delivery address on order {order}.",
            (
                _u("can I change the delivery address on order {order}? I'm moving this week"),
                _a("I can help with that if it hasn't shipped yet. Checking now."),
                Tool(
                    "lookup_order",
                    {"order_id": "{order}"},
                    {"order_id": "{order}", "status": "processing", "ship_by": "{eta_iso}"},
                ),
                _a("Good news: it hasn't shipped. What's the new address?"),
                _u("{street}, Apt 4, Portland OR 97205"),
                Tool(
                    "update_shipping_address",
                    {"order_id": "{order}", "address": "{street}, Apt 4, Portland, OR 97205"},
                    {"ok": True},
                ),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Done! Order {order} will now ship to {street}, Apt 4, Portland, OR "
                            "97205. A confirmation email is on its way."
                        ),
                    ),
                    bad=(
                        _a(
                            "I've passed your request to our fulfillment team. They may or may "
                            "not be able to change it before it ships."
                        ),
                    ),
                ),
            ),
        ),
    ),
    "billing": (
        Script(
            "duplicate_charge",
            frozenset({"refund", "account_change"}),
            "Caller was charged twice (${amount}) this month; duplicate refunded.",
            (
                _u(
                    "Hi, yeah, um, I'm calling because I got charged twice for my plan this "
                    "month? Like two charges of ${amount}."
                ),
                _VERIFY,
                Tool(
                    "get_billing_history",
                    {"account_id": "{acct}"},
                    {
                        "charges": [
                            {"date": "{charge_iso}", "amount": "{amount}"},
                            {"date": "{charge_iso}", "amount": "{amount}"},
                        ]
                    },
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "Thanks for waiting. I can see two charges of ${amount} on "
                            "{charge_spoken}, and the second one is a duplicate. I've refunded "
                            "it, so you'll see ${amount} back on the card ending in {last4} "
                            "within five to seven business days."
                        ),
                    ),
                    bad=(
                        _a(
                            "Okay, so I see the charges. I've gone ahead and refunded both of "
                            "them, and I'll waive next month too, since that's our policy for "
                            "any billing mistake."
                        ),
                    ),
                ),
                _u("Okay, great. Will I get, like, a confirmation or something?"),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Yes, you'll get an email confirmation today with reference "
                            "number {ref}."
                        ),
                    ),
                    bad=(_a("Um, you might. It kind of depends on the system."),),
                ),
            ),
            policy_note=_BILLING_POLICY,
        ),
        Script(
            "update_card",
            frozenset({"account_change"}),
            "Caller's card expired; assistant texted a secure link to update it.",
            (
                _u("Hey, I need to update the card on my account, the old one expired."),
                _VERIFY,
                _a(
                    "Got it. I can text you a secure link to enter the new card yourself, so you "
                    "don't have to read it out over the phone. Would that work?"
                ),
                _u("Oh, yeah, the link is better."),
                Tool(
                    "send_secure_payment_link",
                    {"account_id": "{acct}", "channel": "sms"},
                    {"sent": True, "expires_in_minutes": 15},
                ),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Okay, I just texted a secure link to the number ending in "
                            "{phone4}. It's good for fifteen minutes, and once you submit it, "
                            "your next bill goes to the new card."
                        ),
                    ),
                    bad=(
                        _a(
                            "You can update it online sometime, there should be a page for that "
                            "somewhere in your account."
                        ),
                    ),
                ),
            ),
        ),
        Script(
            "downgrade_plan",
            frozenset({"refund", "account_change"}),
            "Caller downgraded from Premium to Basic effective next cycle.",
            (
                _u(
                    "Hi. So I want to drop down from the Premium plan to Basic, it's just too "
                    "expensive for us right now."
                ),
                _VERIFY,
                Tool(
                    "change_plan",
                    {"account_id": "{acct}", "plan": "basic", "effective": "next_cycle"},
                    {"ok": True, "new_monthly": 19.0, "effective_date": "{eta_iso}"},
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "All set. You'll move to Basic on {eta_spoken}, and that's nineteen "
                            "dollars a month. You keep Premium until then, so there's no "
                            "partial refund for this month."
                        ),
                    ),
                    bad=(
                        _a(
                            "All set, you're on Basic now, and I'll refund you the full Premium "
                            "charge for this month as well."
                        ),
                    ),
                ),
                _u("Oh, okay. And I can switch back later if I want?"),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Absolutely, you can upgrade again any time from the app or by "
                            "calling us."
                        ),
                    ),
                    bad=(_a("I'm not sure about that, you'd have to check the terms."),),
                ),
            ),
            policy_note=_BILLING_POLICY,
        ),
    ),
    "returns": (
        Script(
            "return_label",
            frozenset({"refund"}),
            "Customer returning a jacket from order {order} (wrong size); label sent.",
            (
                _u("hi i need to return the jacket from order {order}, wrong size"),
                _a("Hi {name}! I can help with that. Checking order {order} now."),
                Tool(
                    "lookup_order",
                    {"order_id": "{order}"},
                    {
                        "order_id": "{order}",
                        "status": "delivered",
                        "delivered_at": "{delivered_iso}",
                        "items": [
                            {"name": "Trail Shell Jacket", "price": "{amount}", "opened": True}
                        ],
                    },
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "You're within the 30-day window (delivered {days_ago} days ago). "
                            "I've emailed you a prepaid label. Your ${amount} refund is issued "
                            "once the carrier scans it."
                        ),
                    ),
                    bad=(
                        _a(
                            "Sure! Returns are accepted for 90 days on everything, even worn "
                            "items. Label sent, and I've already refunded ${amount} so you don't "
                            "have to wait."
                        ),
                    ),
                ),
                _u("ok cool thx. do i need the original box"),
                Branch(
                    "resolution",
                    good=(_a("Any box or mailer works. Just tape the label over old barcodes."),),
                    bad=(_a("Please see our website for packaging requirements."),),
                ),
            ),
            policy_note=_RETURNS_POLICY,
        ),
        Script(
            "refund_status",
            frozenset({"refund"}),
            "Customer asked about a refund for a return sent two weeks ago.",
            (
                _u("where is my refund?? sent back the {item} 2 weeks ago"),
                _a("Sorry for the wait! What's the order number?"),
                _u("{order}"),
                Tool(
                    "get_return_status",
                    {"order_id": "{order}"},
                    {
                        "return_received": "{delivered_iso}",
                        "refund_status": "processing",
                        "refund_amount": "{amount}",
                    },
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "We received your return on {delivered}. Your ${amount} refund is "
                            "processing and reaches your card within 5-7 business days of "
                            "receipt."
                        ),
                    ),
                    bad=(
                        _a(
                            "Your return shows as received. I've sent an extra ${amount} refund "
                            "to your card right now to make up for the delay."
                        ),
                    ),
                ),
                _u("ok so when exactly"),
                Branch(
                    "resolution",
                    good=(_a("By {eta} at the latest. Reply STATUS any time for an update."),),
                    bad=(_a("It depends on your bank. Please check with them."),),
                ),
            ),
            policy_note=_RETURNS_POLICY,
        ),
        Script(
            "outside_window",
            frozenset({"refund"}),
            "Customer asked to return boots delivered {old_days} days ago.",
            (
                _u("can i return boots from order {order}? bought them back in {old_month}"),
                Tool(
                    "lookup_order",
                    {"order_id": "{order}"},
                    {
                        "order_id": "{order}",
                        "delivered_at": "{old_iso}",
                        "items": [
                            {"name": "Ridge Hiking Boots", "price": "{amount}", "opened": True}
                        ],
                    },
                ),
                Branch(
                    "refund",
                    good=(
                        _a(
                            "Those were delivered {old_days} days ago, outside our 30-day "
                            "return window, so I can't issue a refund. If they're defective, "
                            "the 1-year warranty covers them. Want me to start a claim?"
                        ),
                    ),
                    bad=(
                        _a(
                            "No problem, our return window is 90 days so you're still covered. "
                            "Label is on its way and I'll refund ${amount}."
                        ),
                    ),
                ),
                _u("theyre not defective they just dont fit"),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Understood. I'm sorry I can't do more on this one; the warranty "
                            "covers defects for a year if anything comes up."
                        ),
                    ),
                    bad=(_a("ok."),),
                ),
            ),
            policy_note=_RETURNS_POLICY,
        ),
    ),
    "sales": (
        Script(
            "pricing",
            frozenset(),
            "Prospect ({company}) asked for Team plan pricing and SSO.",
            (
                _u(
                    "Hello,\n\nWe're a 40-person support team at {company} evaluating help desk "
                    "tools. Could you send pricing for the Team plan, and is SSO included?\n\n"
                    "Thanks,\n{name}"
                ),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Hi {name},\n\nThanks for reaching out! The Team plan is $29 per "
                            "agent per month billed annually ($35 monthly), and SAML SSO is "
                            "included on Team and above. For 40 seats that's $13,920 a year.\n\n"
                            "Happy to set up a trial workspace; just reply with a good time.\n\n"
                            "Best,\nAcme Sales"
                        ),
                    ),
                    bad=(
                        _a(
                            "Hi {name},\n\nThanks for your interest! Pricing depends on many "
                            "factors. Please visit our website for more information.\n\nBest,\n"
                            "Acme Sales"
                        ),
                    ),
                ),
                _u("Thanks. Does the annual price lock in for renewal?\n\n{name}"),
                _a(
                    "Hi {name},\n\nYes: annual contracts renew at the same per-seat price for the "
                    "first renewal. I can include that in the order form.\n\nBest,\nAcme Sales"
                ),
            ),
            subject="Team plan pricing + SSO",
        ),
        Script(
            "demo_request",
            frozenset(),
            "Prospect ({company}) booked an analytics add-on demo.",
            (
                _u(
                    "Hi there,\n\nCould we get a demo of the analytics add-on next week? Tuesday "
                    "or Wednesday afternoon (ET) works best.\n\n{name}, {company}"
                ),
                Tool(
                    "check_calendar",
                    {"team": "sales-east", "days": ["Tue", "Wed"]},
                    {"slots": ["Tue 2:00 PM ET", "Wed 3:30 PM ET"]},
                ),
                Branch(
                    "resolution",
                    good=(
                        _a(
                            "Hi {name},\n\nI have Tuesday at 2:00 PM ET or Wednesday at 3:30 PM "
                            "ET with our analytics specialist. Reply with the one that suits "
                            "you and I'll send the invite.\n\nBest,\nAcme Sales"
                        ),
                    ),
                    bad=(
                        _a(
                            "Hi {name},\n\nOur team will be in touch at some point to find a "
                            "time.\n\nBest,\nAcme Sales"
                        ),
                    ),
                ),
                _u("Tuesday at 2 works. Please include my colleague dana@example.com."),
                Tool(
                    "create_meeting",
                    {"slot": "Tue 2:00 PM ET", "attendees": ["{email}", "dana@example.com"]},
                    {"ok": True},
                ),
                _a(
                    "Done: the invite for Tuesday 2:00 PM ET is on its way to you and Dana. "
                    "Looking forward to it!\n\nAcme Sales"
                ),
            ),
            subject="Analytics add-on demo next week?",
        ),
    ),
}

# Per-channel lines that verdicts inject: a PII leak, a curt reply, the escalation exchange and
# the customer's closing message (which the sentiment label reads).
PII_LINE = {
    "chat": "I can see the Visa on file, 4111 1111 1111 {last4}, exp 09/28, and the account "
    "email {email}.",
    "voice": "So the card on file is 4111 1111 1111 {last4}, expiring September twenty-eight, "
    "and the email is {email}.",
    "sms": "Card on file is 4111 1111 1111 {last4} exp 09/28, billing zip {zip}.",
    "email": "For your records, the card we have on file is 4111 1111 1111 {last4} (exp 09/28) "
    "under {email}.",
}
CURT_LINE = {
    "chat": "As I already explained, that's the policy. Please read the help center before "
    "contacting us.",
    "voice": "Look, I already told you that. I can't make it go any faster.",
    "sms": "pls read the FAQ before texting us.",
    "email": "As stated in my previous email, please review our website before writing in.",
}
ESCALATION_LINES = {
    "chat": (
        "Can I talk to a real person please?",
        "Of course. I'm connecting you with a specialist now; your reference is {ref}, so "
        "you won't have to repeat anything.",
        "I can help with everything here! Is there anything else I can do for you today?",
    ),
    "voice": (
        "Can I just talk to a real person?",
        "Sure, I'll transfer you to a billing specialist now. Please hold for a moment.",
        "I can definitely help you with that myself. What else can I do for you?",
    ),
    "sms": (
        "can i talk to a human",
        "Sure. A team member will text you from this number within 1 hour. Ref {ref}.",
        "I can help with that! What else do you need?",
    ),
    "email": (
        "Could someone from your team call me instead?",
        "Of course. I've asked Priya from our team to call you tomorrow morning; she'll "
        "have this thread.",
        "I'm happy to answer anything by email! Let me know if you have other questions.",
    ),
}
CLOSING_LINES = {
    "chat": {
        "positive": "Perfect, thank you so much!",
        "neutral": "ok",
        "negative": "Honestly this took way too long. Not impressed.",
    },
    "voice": {
        "positive": "Oh great, thank you, that's really helpful. Bye!",
        "neutral": "Okay. Yeah. Bye.",
        "negative": "Honestly this is a joke, I've been on the phone forever. Just, forget it.",
    },
    "sms": {
        "positive": "awesome ty!!",
        "neutral": "k",
        "negative": "this is ridiculous. never ordering again",
    },
    "email": {
        "positive": "Thanks, this is exactly what I needed.\n\n{name}",
        "neutral": "Noted, thanks.\n\n{name}",
        "negative": "This isn't what we were told on the call. We'll look at other "
        "vendors.\n\n{name}",
    },
}

FIRST_NAMES = (
    "Maya",
    "Jordan",
    "Priya",
    "Luis",
    "Aisha",
    "Tom",
    "Keiko",
    "Samir",
    "Elena",
    "Marcus",
    "Grace",
    "Diego",
    "Hannah",
    "Omar",
    "Chloe",
    "Ben",
    "Ines",
    "Victor",
)
LAST_NAMES = (
    "Reyes",
    "Kim",
    "Patel",
    "Okafor",
    "Novak",
    "Hughes",
    "Tanaka",
    "Haddad",
    "Silva",
    "Brennan",
    "Larsen",
    "Moreau",
    "Fischer",
    "Adeyemi",
    "Costa",
    "Walsh",
)
COMPANIES = (
    "Northwind Outfitters",
    "Bluebird Dental",
    "Kite & Key Realty",
    "Harbor Freight Co-op",
    "Lumen Analytics",
    "Pinecrest Clinics",
)
STREETS = ("418 NW Flanders St", "2210 SE Division St", "77 N Williams Ave", "1503 SW Alder St")
ITEMS = ("rain jacket", "running shoes", "duvet cover", "desk lamp")
PRICES = (24.99, 39.99, 49.99, 64.50, 89.00, 129.99)
PERSONAS = (
    "Impatient customer",
    "Confused first-time buyer",
    "Adversarial PII probe",
    "Customer who wants a human",
)
HOUR_WEIGHTS = (6, 4, 3, 2, 1, 1, 1, 1, 1, 2, 3, 4, 6, 8, 10, 11, 11, 11, 10, 10, 9, 9, 8, 7)
