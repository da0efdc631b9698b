//! A crate whose NetSuite record types are generated at build time: `build.rs` runs
//! `nstba_codegen::Generator` over the catalog documents in `catalog/` and writes
//! `$OUT_DIR/netsuite.rs`, which [`netsuite`] includes. Changing a catalog file regenerates the
//! types on the next build; nothing generated is committed.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The record types of `catalog/`: `SalesOrder` (with its `SalesOrderItem` lines) and
/// `CustomrecordPmMilestone`, each also in a module of its own (`netsuite::sales_order`, …).
pub mod netsuite {
    include!(concat!(env!("OUT_DIR"), "/netsuite.rs"));
}

/// Hours still to spend on the milestones that are not done: a function written against the
/// generated types, as an application would.
pub fn open_hours(milestones: &[netsuite::CustomrecordPmMilestone]) -> f32 {
    milestones
        .iter()
        .filter(|m| {
            m.custrecord_pm_phase.as_ref().map(|p| &p.value)
                != Some(&netsuite::CustomrecordPmMilestoneCustrecordPmPhase::Done)
        })
        .filter_map(|m| m.custrecord_pm_hours)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::netsuite::{self, CustomrecordPmMilestone, SalesOrder};
    use nstba::client::Record;
    use serde_json::json;

    #[test]
    fn generated_types_name_their_record_types() {
        assert_eq!(SalesOrder::RECORD_TYPE, "salesOrder");
        assert_eq!(
            CustomrecordPmMilestone::RECORD_TYPE,
            "customrecord_pm_milestone"
        );
        // Each record type also has its own module.
        let _: Option<netsuite::sales_order::SalesOrderItem> = None;
    }

    #[test]
    fn a_record_as_netsuite_sends_it_decodes_into_the_generated_struct() {
        let order: SalesOrder = serde_json::from_value(json!({
            "links": [{"rel": "self", "href": "https://1234567.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/42"}],
            "id": "42",
            "tranId": "SO-1001",
            "tranDate": "2026-11-30",
            "entity": {"id": "7", "refName": "Acme Ltd", "links": []},
            "status": "pendingFulfillment",
            "item": {
                "links": [],
                "items": [{"links": [], "item": {"id": "15", "refName": "Widget"}, "quantity": 3.0}],
                "totalResults": 1
            }
        }))
        .unwrap();
        assert_eq!(order.tran_id.as_deref(), Some("SO-1001"));
        assert_eq!(order.tran_date.map(|d| d.day()), Some(30));
        assert_eq!(
            order.entity.as_ref().and_then(|e| e.id.as_deref()),
            Some("7")
        );
        let lines = order.item.expect("the item sublist is typed");
        assert_eq!(lines.items().len(), 1);
        assert_eq!(lines.items()[0].quantity, Some(3.0));
    }

    #[test]
    fn values_the_catalog_did_not_list_are_kept() {
        let milestones: Vec<CustomrecordPmMilestone> = serde_json::from_value(json!([
            {"id": "1", "name": "Plan", "custrecord_pm_phase": "plan", "custrecord_pm_hours": 4.5},
            {"id": "2", "name": "Ship", "custrecord_pm_phase": "done", "custrecord_pm_hours": 8.0},
            {"id": "3", "name": "Later", "custrecord_pm_phase": "someday", "custrecord_pm_hours": 2.0}
        ]))
        .unwrap();
        assert_eq!(super::open_hours(&milestones), 6.5);
        let later = serde_json::to_value(&milestones[2]).unwrap();
        // Written back as NetSuite accepts a select-list value, the unknown id kept.
        assert_eq!(later["custrecord_pm_phase"], json!({"id": "someday"}));
    }
}
