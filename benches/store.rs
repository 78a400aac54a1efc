//! In-process benchmarks of the paths a large database exercises: the bulk
//! import pipeline, report tallies, and streaming events for export. Run
//! with `cargo bench`; the comparison against the sqlite3 shell is
//! scripts/bench.sh.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use opweek::import::{self, Context, Options};
use opweek::model::{Dimension, OpSelection, Operation};
use opweek::store::{EventFilter, Store, StoreError, TallyQuery};

const ROWS: u64 = 20_000;

fn csv(rows: u64) -> Vec<u8> {
    let mut out =
        String::from("operation,type,date,time,count,force,team,area,officer,reference,notes\n");
    let types = [
        "offender-visit",
        "warrant",
        "device-seizure",
        "arrest",
        "school-session",
    ];
    for i in 0..rows {
        out.push_str(&format!(
            "bench,{},2017-11-{},{:02}:{:02},{},Force {},Team {},Area {},{},REF/{i},\"note, with \"\"quotes\"\" {i}\"\n",
            types[(i % 5) as usize],
            13 + i % 7,
            8 + i % 10,
            i % 60,
            1 + i % 3,
            i % 6,
            i % 4,
            i % 9,
            1000 + i % 300,
        ));
    }
    out.into_bytes()
}

fn store() -> Store {
    let mut s = Store::open_in_memory().expect("store");
    s.add_operation(&Operation {
        code: "bench".into(),
        title: "Bench week".into(),
        start: "2017-11-13".parse().expect("date"),
        end: "2017-11-19".parse().expect("date"),
        force: None,
        unit: None,
        campaign: Some("c".into()),
        notes: None,
    })
    .expect("operation");
    s
}

fn import_into(s: &mut Store, data: &[u8]) {
    let ctx = Context {
        file: "bench.csv",
        today: "2017-11-30".parse().expect("date"),
        user: "bench",
        now: "2017-11-30T10:00:00Z",
        file_sha256: None,
    };
    import::import(s, data, &ctx, &Options::default(), &mut |_| {}, &mut |_| {}).expect("import");
}

fn benches(c: &mut Criterion) {
    let data = csv(ROWS);
    let mut g = c.benchmark_group("import");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    g.bench_function("20k rows into an empty store", |b| {
        b.iter_batched(
            store,
            |mut s| import_into(&mut s, &data),
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let mut loaded = store();
    import_into(&mut loaded, &data);
    let mut g = c.benchmark_group("report");
    for (name, q) in [
        (
            "one operation",
            TallyQuery {
                ops: OpSelection::One("bench".into()),
                dates: None,
                by: None,
                ..Default::default()
            },
        ),
        (
            "campaign by force",
            TallyQuery {
                ops: OpSelection::Campaign("c".into()),
                dates: None,
                by: Some(Dimension::Force),
                ..Default::default()
            },
        ),
    ] {
        g.bench_function(name, |b| b.iter(|| loaded.tally(&q).expect("tally")));
    }
    g.finish();

    let mut g = c.benchmark_group("export");
    g.throughput(Throughput::Elements(ROWS));
    g.sample_size(10);
    g.bench_function("stream 20k events as CSV", |b| {
        b.iter(|| {
            let mut w =
                opweek::csvio::EventWriter::new(Vec::with_capacity(4 << 20)).expect("writer");
            loaded
                .for_each_event(&EventFilter::default(), |e| -> Result<(), StoreError> {
                    w.write(&e).map_err(|e| StoreError::Corrupt(e.to_string()))
                })
                .expect("stream");
            w.finish().expect("finish");
        })
    });
    g.finish();
}

criterion_group!(store_benches, benches);
criterion_main!(store_benches);
