// Shared set-up of the facade's doctests (included with `include!`): a `Customer` record and
// `run`, which starts the emulator with demo data and hands a client to the test body.
#[derive(nstba::Record, Debug, Clone)]
#[netsuite(record = "customer")]
pub struct Customer {
    #[netsuite(id)]
    pub id: Option<nstba::RecordId>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub balance: Option<f64>,
    #[netsuite(external_id)]
    pub external_id: Option<String>,
}

fn run<F, Fut>(body: F)
where
    F: FnOnce(nstba::client::Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mock = nstba_mock::MockNetSuite::builder()
            .demo_data()
            .start()
            .await
            .expect("emulator");
        let client = nstba::client::Client::builder()
            .credentials(mock.credentials())
            .base_url(mock.base_url())
            .build()
            .expect("client");
        body(client).await.expect("doctest body");
    });
}
