//! The events the demo knows how to make: names, dates, tickets and prices,
//! and the custom questions each asks its attendees.

/// What kind of answers a custom question gets.
pub(super) enum Answers {
    /// The attendee's own email, mostly.
    Email,
    /// A phone number in a range reserved for fiction.
    Phone,
    /// One of these by weight; `None` is "no answer".
    Pick(&'static [(u32, Option<&'static str>)]),
}

/// One kind of ticket, its price in cents and how often it sells (relative weight).
pub(super) struct Ticket {
    pub group: Option<&'static str>,
    pub name: &'static str,
    pub cents: i64,
    pub weight: u32,
}

/// What an event generated from it looks like.
pub(super) struct EventTemplate {
    pub name: &'static str,
    /// "YYYY-MM-DD"
    pub date: &'static str,
    /// Doors open, as (hour, minute); check-ins happen after that, the same day.
    pub doors: (u64, u64),
    /// How long after doors check-ins keep coming, in minutes (ends before midnight).
    pub window_minutes: u64,
    /// Share of the attendees of confirmed orders who are checked in, per mille.
    pub check_in_per_mille: u64,
    pub tickets: &'static [Ticket],
    pub questions: &'static [(&'static str, Answers)],
}

const fn t(group: Option<&'static str>, name: &'static str, cents: i64, weight: u32) -> Ticket {
    Ticket { group, name, cents, weight }
}

const DIETARY: Answers = Answers::Pick(&[
    (40, None),
    (20, Some("None")),
    (15, Some("Vegetarian")),
    (7, Some("Vegan")),
    (5, Some("Gluten-free")),
    (3, Some("Halal")),
    (2, Some("Kosher")),
    (3, Some("Lactose intolerant")),
    (2, Some("No nuts, please — severe allergy")),
    (3, Some("Pescatarian")),
]);

const T_SHIRT: Answers = Answers::Pick(&[
    (5, Some("XS")),
    (15, Some("S")),
    (30, Some("M")),
    (25, Some("L")),
    (15, Some("XL")),
    (5, Some("XXL")),
    (5, None),
]);

const HEARD: Answers = Answers::Pick(&[
    (20, Some("Friend or colleague")),
    (15, Some("Instagram")),
    (10, Some("Newsletter")),
    (5, Some("Poster in town")),
    (10, Some("Search engine")),
    (10, Some("I came last year")),
    (30, None),
]);

const ACCESS: Answers = Answers::Pick(&[
    (85, None),
    (5, Some("Wheelchair access")),
    (4, Some("Step-free seat near the aisle")),
    (3, Some("Hearing loop")),
    (3, Some("Guide dog")),
]);

pub(super) const TEMPLATES: &[EventTemplate] = &[
    EventTemplate {
        name: "Northern Lights Festival 2026",
        date: "2026-11-28",
        doors: (16, 0),
        window_minutes: 6 * 60,
        check_in_per_mille: 300,
        tickets: &[
            t(Some("General Admission"), "Day Pass", 5900, 30),
            t(Some("General Admission"), "Weekend Pass", 9900, 30),
            t(Some("Early Bird"), "Weekend Pass (Early Bird)", 7900, 15),
            t(Some("VIP"), "VIP Weekend", 24900, 5),
            t(Some("VIP"), "Backstage Experience", 34900, 2),
            t(Some("Concessions"), "Student", 3900, 10),
            t(Some("Concessions"), "Child (under 12)", 0, 5),
            t(Some("Crew"), "Volunteer", 0, 3),
        ],
        questions: &[
            ("Attendee email", Answers::Email),
            ("Dietary requirements", DIETARY),
            ("T-shirt size", T_SHIRT),
            ("How did you hear about us?", HEARD),
        ],
    },
    EventTemplate {
        name: "Rust Meetup — December",
        date: "2026-12-10",
        doors: (18, 30),
        window_minutes: 90,
        check_in_per_mille: 0,
        tickets: &[t(None, "Free admission", 0, 80), t(None, "Supporter (pizza fund)", 1000, 20)],
        questions: &[
            ("E-mail address", Answers::Email),
            ("Dietary requirements", DIETARY),
            (
                "Would you like to give a lightning talk?",
                Answers::Pick(&[(60, Some("No")), (15, Some("Yes")), (25, Some("Maybe"))]),
            ),
        ],
    },
    EventTemplate {
        name: "Winter Gala Dinner",
        date: "2026-12-19",
        doors: (19, 0),
        window_minutes: 120,
        check_in_per_mille: 0,
        tickets: &[
            t(Some("Dinner"), "Dinner ticket", 12000, 70),
            t(Some("Dinner"), "Dinner ticket (member)", 9500, 20),
            t(Some("Sponsors"), "Sponsor table seat", 0, 10),
        ],
        questions: &[
            ("Email", Answers::Email),
            (
                "Menu choice",
                Answers::Pick(&[
                    (40, Some("Beef fillet")),
                    (30, Some("Baked cod")),
                    (25, Some("Wild mushroom risotto (V)")),
                    (5, None),
                ]),
            ),
            ("Dietary requirements", DIETARY),
            (
                "Seating preference",
                Answers::Pick(&[
                    (70, None),
                    (10, Some("Near the stage")),
                    (10, Some("With the Hansen party")),
                    (10, Some("A quiet table, please")),
                ]),
            ),
        ],
    },
    EventTemplate {
        name: "Harbour Jazz Nights",
        date: "2026-10-03",
        doors: (19, 30),
        window_minutes: 150,
        check_in_per_mille: 880,
        tickets: &[
            t(Some("Standing"), "Standing", 2850, 50),
            t(Some("Seated"), "Stalls", 4200, 35),
            t(Some("Seated"), "Balcony", 3600, 15),
        ],
        questions: &[("Attendee email", Answers::Email), ("Accessibility needs", ACCESS)],
    },
    EventTemplate {
        name: "Product Design Summit 2026",
        date: "2026-09-15",
        doors: (8, 30),
        window_minutes: 8 * 60,
        check_in_per_mille: 910,
        tickets: &[
            t(Some("Conference"), "Full Pass", 34900, 50),
            t(Some("Conference"), "Day 1 only", 18900, 20),
            t(Some("Conference"), "Student", 4900, 15),
            t(Some("Workshops"), "Workshop + Full Pass", 49900, 15),
        ],
        questions: &[
            ("Work email", Answers::Email),
            (
                "Job title",
                Answers::Pick(&[
                    (20, Some("Product Designer")),
                    (10, Some("UX Researcher")),
                    (10, Some("Engineering Manager")),
                    (5, Some("CTO")),
                    (10, Some("Student")),
                    (5, Some("Freelance illustrator")),
                    (10, Some("Head of Design")),
                    (30, None),
                ]),
            ),
            (
                "Workshop",
                Answers::Pick(&[
                    (30, Some("A: Design systems that last")),
                    (30, Some("B: Research ops on a budget")),
                    (20, Some("C: Accessibility in practice")),
                    (20, None),
                ]),
            ),
            ("T-shirt size", T_SHIRT),
        ],
    },
    EventTemplate {
        name: "Trail Run: Fjellstien 25K",
        date: "2026-08-22",
        doors: (7, 0),
        window_minutes: 150,
        check_in_per_mille: 940,
        tickets: &[
            t(Some("Runners"), "25K", 4500, 50),
            t(Some("Runners"), "12K", 3500, 35),
            t(Some("Kids"), "Kids run (2K)", 1000, 15),
        ],
        questions: &[
            ("E-mail", Answers::Email),
            ("Emergency contact phone", Answers::Phone),
            ("T-shirt size", T_SHIRT),
            (
                "Running club",
                Answers::Pick(&[
                    (50, None),
                    (15, Some("Fjellstien Løpeklubb")),
                    (15, Some("Tromsø Runners")),
                    (10, Some("Harbour Harriers")),
                    (10, Some("-")),
                ]),
            ),
        ],
    },
    EventTemplate {
        name: "Community Choir Spring Concert",
        date: "2027-04-17",
        doors: (18, 0),
        window_minutes: 90,
        check_in_per_mille: 0,
        tickets: &[t(None, "Adult", 1800, 60), t(None, "Concession", 1200, 25), t(None, "Under 16", 500, 15)],
        questions: &[("Accessibility needs", ACCESS)],
    },
    EventTemplate {
        name: "Startup Pitch Night #14",
        date: "2026-11-12",
        doors: (17, 45),
        window_minutes: 120,
        check_in_per_mille: 760,
        tickets: &[
            t(Some("Audience"), "Audience", 1500, 70),
            t(Some("Founders"), "Pitching team", 0, 15),
            t(Some("Investors"), "Investor", 0, 15),
        ],
        questions: &[
            ("Work email", Answers::Email),
            (
                "What brings you here?",
                Answers::Pick(&[
                    (30, Some("Looking for investors")),
                    (25, Some("Hiring")),
                    (25, Some("Just curious")),
                    (20, None),
                ]),
            ),
        ],
    },
    EventTemplate {
        name: "Kids' Science Saturday",
        date: "2027-01-16",
        doors: (10, 0),
        window_minutes: 240,
        check_in_per_mille: 0,
        tickets: &[t(Some("Families"), "Child", 800, 60), t(Some("Families"), "Accompanying adult", 0, 40)],
        questions: &[
            ("Parent's e-mail", Answers::Email),
            ("Emergency contact phone", Answers::Phone),
            (
                "Allergies",
                Answers::Pick(&[
                    (80, None),
                    (10, Some("Peanuts")),
                    (5, Some("Latex")),
                    (5, Some("Bee stings")),
                ]),
            ),
        ],
    },
    EventTemplate {
        name: "Open Air Cinema: Summer Classics",
        date: "2026-07-04",
        doors: (20, 0),
        window_minutes: 120,
        check_in_per_mille: 830,
        tickets: &[
            t(Some("Lawn"), "Lawn (bring a blanket)", 1400, 70),
            t(Some("Deckchair"), "Deckchair + popcorn", 2400, 30),
        ],
        questions: &[("Email", Answers::Email)],
    },
    EventTemplate {
        name: "Autumn Wine Tasting",
        date: "2026-10-24",
        doors: (17, 0),
        window_minutes: 180,
        check_in_per_mille: 900,
        tickets: &[t(None, "Tasting ticket", 4500, 80), t(None, "Designated driver", 1500, 20)],
        questions: &[("Attendee email", Answers::Email), ("Dietary requirements", DIETARY)],
    },
    EventTemplate {
        name: "Rust Meetup — January",
        date: "2027-01-21",
        doors: (18, 30),
        window_minutes: 90,
        check_in_per_mille: 0,
        tickets: &[t(None, "Free admission", 0, 100)],
        questions: &[("E-mail address", Answers::Email)],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_can_sell_tickets_and_checks_in_before_midnight() {
        for e in TEMPLATES {
            assert!(e.tickets.iter().any(|t| t.weight > 0), "{}", e.name);
            let (hour, minute) = e.doors;
            assert!(hour * 60 + minute + e.window_minutes < 24 * 60, "{}", e.name);
            assert_eq!(e.date.len(), 10, "{}", e.name);
        }
    }

    #[test]
    fn most_events_ask_for_an_attendee_email() {
        let asking =
            TEMPLATES.iter().filter(|e| e.questions.iter().any(|(_, a)| matches!(a, Answers::Email))).count();
        assert!(asking * 4 >= TEMPLATES.len() * 3);
    }
}
