use nstba::Record;

#[derive(Record)]
#[netsuite(record = "customer")]
union Customer {
    a: u32,
    b: f32,
}

fn main() {}
