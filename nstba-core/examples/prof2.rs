//! scratch
fn main() {
    const URL: &str = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer?q=companyName%20START_WITH%20%22Acme%22&limit=1000&offset=2000";
    let creds = nstba_core::Credentials::new(
        nstba_core::AccountId::parse("1234567_SB1").unwrap(),
        "ef40afdd8abaac111b13825dd5e5e2ddddb44f86d5a0dd6dcf38c20aae6b67e4",
        "d26ad321a4b2f23b0741c8d38392ce01c3e23e109df6c96eac6d099e9ab9e8b5",
        "2b0ce516420110bcbd36b69e99196d1b7f6de3c6234c5afb799b73d87569f5cc",
        "c29a677df7d5439a458c063654187e3d678d73aca8e3c9d8bea1478a3eb0d295",
    )
    .unwrap();
    let req = nstba_core::Request::new("GET", URL);
    for _ in 0..5_000_000 {
        let stamp = nstba_core::Stamp::now();
        std::hint::black_box(creds.key().sign(&req, &stamp).unwrap().into_authorization());
    }
}
