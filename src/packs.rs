//! Type packs: the activity types a county-lines, knife-crime or online
//! child-exploitation week counts, with the words a force's press release
//! uses, so a unit starts its week with one command instead of typing each
//! type by hand. Plain data: `type pack add` adds the types not there yet.

use crate::measure::Measure;

/// One activity type a pack brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackType {
    pub key: &'static str,
    pub label: &'static str,
    pub noun: &'static str,
    pub plural: &'static str,
    pub phrase: &'static str,
    pub measure: Option<Measure>,
}

/// A named set of types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pack {
    pub name: &'static str,
    pub about: &'static str,
    pub types: &'static [PackType],
}

const fn t(
    key: &'static str,
    label: &'static str,
    noun: &'static str,
    plural: &'static str,
    phrase: &'static str,
    measure: Option<Measure>,
) -> PackType {
    PackType {
        key,
        label,
        noun,
        plural,
        phrase,
        measure,
    }
}

const ARREST: PackType = t(
    "arrest",
    "Arrests",
    "person",
    "people",
    "arrested {count} {noun}[ on suspicion of {detail}]",
    None,
);

const WARRANT: PackType = t(
    "warrant",
    "Warrants",
    "warrant",
    "warrants",
    "carried out {count} {noun}[ in relation to {detail}]",
    None,
);

/// Every pack, in the order `type pack list` shows them.
pub const PACKS: &[Pack] = &[
    Pack {
        name: "county-lines",
        about: "county-lines intensification week: drug lines, cuckooing, drugs and cash",
        types: &[
            ARREST,
            WARRANT,
            t(
                "line-closure",
                "Drug lines closed",
                "drug line",
                "drug lines",
                "closed down {count} {noun}",
                None,
            ),
            t(
                "cuckooing-visit",
                "Cuckooing visits",
                "cuckooing visit",
                "cuckooing visits",
                "carried out {count} {noun} to check on people at risk of having their homes taken over",
                None,
            ),
            t(
                "person-safeguarded",
                "Vulnerable people safeguarded",
                "vulnerable person",
                "vulnerable people",
                "safeguarded {count} {noun}",
                None,
            ),
            t(
                "drug-seizure",
                "Drug seizures",
                "drugs seizure",
                "drugs seizures",
                "seized illegal drugs[ with an estimated street value of {value}] in {count} {noun}",
                Some(Measure::Money),
            ),
            t(
                "cash-seizure",
                "Cash seizures",
                "seizure",
                "seizures",
                "seized[ {value} in] cash in {count} {noun}",
                Some(Measure::Money),
            ),
            t(
                "weapon-seizure",
                "Weapons recovered",
                "weapon",
                "weapons",
                "recovered {count} {noun}",
                None,
            ),
            t(
                "vehicle-seizure",
                "Vehicles seized",
                "vehicle",
                "vehicles",
                "seized {count} {noun}",
                None,
            ),
            t(
                "phone-seizure",
                "Mobile phones seized",
                "mobile phone",
                "mobile phones",
                "seized {count} {noun} used to run drug lines",
                None,
            ),
            t(
                "engagement-event",
                "Engagement events",
                "community engagement event",
                "community engagement events",
                "held {count} {noun}[ with {partner}]",
                None,
            ),
        ],
    },
    Pack {
        name: "knife-crime",
        about: "knife-crime week of action: knives seized and surrendered, sweeps, schools",
        types: &[
            ARREST,
            t(
                "knife-seized",
                "Knives seized",
                "knife",
                "knives",
                "seized {count} {noun}",
                None,
            ),
            t(
                "knife-surrendered",
                "Knives surrendered or found",
                "knife",
                "knives",
                "took in {count} {noun} surrendered by the public or found in sweeps",
                None,
            ),
            t(
                "weapon-sweep",
                "Weapon sweeps",
                "weapon sweep",
                "weapon sweeps",
                "carried out {count} {noun}[ in {area}]",
                None,
            ),
            t(
                "test-purchase",
                "Test purchases",
                "test purchase",
                "test purchases",
                "carried out {count} {noun} to check that retailers refuse to sell knives to under-18s",
                None,
            ),
            t(
                "stop-search",
                "Stop and searches",
                "stop and search",
                "stops and searches",
                "carried out {count} {noun}",
                None,
            ),
            t(
                "school-engagement",
                "Schools engaged",
                "school",
                "schools",
                "engaged with {count} {noun} about the dangers of carrying knives",
                None,
            ),
            t(
                "community-event",
                "Community events",
                "community event",
                "community events",
                "held {count} {noun}[ with {partner}]",
                None,
            ),
        ],
    },
    Pack {
        name: "online-cse",
        about: "online child sexual exploitation week: warrants, devices, safeguarding",
        types: &[
            WARRANT,
            t(
                "device-seizure",
                "Device seizures",
                "electronic device",
                "electronic devices",
                "seized {count} {noun} for further examination",
                None,
            ),
            ARREST,
            t(
                "suspect-interviewed",
                "Suspects interviewed",
                "suspect",
                "suspects",
                "interviewed {count} {noun}",
                None,
            ),
            t(
                "child-safeguarded",
                "Children safeguarded",
                "child",
                "children",
                "safeguarded {count} {noun}",
                None,
            ),
            t(
                "victim-identified",
                "Victims identified",
                "victim",
                "victims",
                "identified {count} {noun}[ during {detail}]",
                None,
            ),
            t(
                "school-session",
                "School sessions",
                "training session",
                "training sessions",
                "delivered {count} {noun} to schools[ across {area}][ to teach children about {detail}][, in conjunction with {partner}]",
                None,
            ),
        ],
    },
];

impl PackType {
    /// The activity type this pack type adds.
    pub fn activity_type(&self) -> crate::model::ActivityType {
        crate::model::ActivityType {
            key: self.key.to_string(),
            label: self.label.to_string(),
            noun: self.noun.to_string(),
            plural: self.plural.to_string(),
            phrase: self.phrase.to_string(),
            retired: false,
            measure: self.measure,
        }
    }
}

/// The pack of that name.
pub fn find(name: &str) -> Option<&'static Pack> {
    PACKS.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(name: &str) -> Vec<&'static str> {
        find(name).unwrap().types.iter().map(|t| t.key).collect()
    }

    #[test]
    fn packs_hold_the_briefs_keys() {
        assert_eq!(
            keys("county-lines"),
            [
                "arrest",
                "warrant",
                "line-closure",
                "cuckooing-visit",
                "person-safeguarded",
                "drug-seizure",
                "cash-seizure",
                "weapon-seizure",
                "vehicle-seizure",
                "phone-seizure",
                "engagement-event"
            ]
        );
        assert_eq!(
            keys("knife-crime"),
            [
                "arrest",
                "knife-seized",
                "knife-surrendered",
                "weapon-sweep",
                "test-purchase",
                "stop-search",
                "school-engagement",
                "community-event"
            ]
        );
        assert_eq!(
            keys("online-cse"),
            [
                "warrant",
                "device-seizure",
                "arrest",
                "suspect-interviewed",
                "child-safeguarded",
                "victim-identified",
                "school-session"
            ]
        );
        assert!(find("burglary").is_none());
    }

    #[test]
    fn money_types_say_their_value() {
        for p in PACKS {
            for t in p.types {
                assert_eq!(
                    t.phrase.contains("{value}"),
                    t.measure.is_some(),
                    "{}",
                    t.key
                );
                assert!(t.phrase.contains("{count}"), "{}", t.key);
                // Every phrase is one `type add` would accept for the
                // type's measure.
                assert!(
                    crate::phrase::Phrase::parse_for_type(t.phrase, t.measure).is_ok(),
                    "{}: {:?} does not parse",
                    t.key,
                    t.phrase
                );
                assert!(
                    crate::model::check_type_key(t.key).is_ok(),
                    "{} is not a valid key",
                    t.key
                );
            }
        }
    }
}
