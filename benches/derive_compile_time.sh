#!/usr/bin/env bash
# Compile time of #[derive(Record)] vs plain serde derives: 200 structs × 30 fields each, in two
# scratch crates under target/derive-bench/ that depend on this workspace by path. Prints the
# ratio (goal ≤ 1.5×). Not part of CI.
#
#   benches/derive_compile_time.sh [structs] [fields] [runs]
set -euo pipefail
STRUCTS=${1:-200}
FIELDS=${2:-30}
RUNS=${3:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/target/derive-bench
export CARGO_TARGET_DIR=$BENCH/target
mkdir -p "$BENCH"

gen() { # gen <kind: record|serde> <dir>
    local kind=$1 dir=$2
    mkdir -p "$dir/src"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "bench_$kind"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
nstba = { path = "$ROOT" }
serde = { version = "1", features = ["derive"] }

[workspace]
TOML
    cp "$ROOT/Cargo.lock" "$dir/Cargo.lock"
    {
        echo "#![allow(dead_code)]"
        echo "use nstba::{RecordId, RecordRef};"
        echo "use nstba::client::values::DateTime;"
        [ "$kind" = record ] && echo "use nstba::Record;"
        [ "$kind" = serde ] && echo "use serde::{Deserialize, Serialize};"
        for s in $(seq 1 "$STRUCTS"); do
            if [ "$kind" = record ]; then
                echo "#[derive(Record, Debug, Clone)]"
                echo "#[netsuite(record = \"customer\")]"
            else
                echo "#[derive(Serialize, Deserialize, Debug, Clone)]"
                echo "#[serde(rename_all = \"camelCase\")]"
            fi
            echo "pub struct Rec$s {"
            if [ "$kind" = record ]; then echo "    #[netsuite(id)]"; else echo "    #[serde(default, skip_serializing_if = \"Option::is_none\")]"; fi
            echo "    pub id: Option<RecordId>,"
            for f in $(seq 2 "$FIELDS"); do
                case $((f % 6)) in
                    0) ty="Option<String>" ;;
                    1) ty="Option<f64>" ;;
                    2) ty="Option<bool>" ;;
                    3) ty="Option<RecordRef>" ;;
                    4) ty="Option<DateTime>" ;;
                    5) ty="Option<String>" ;;
                esac
                if [ $((f % 10)) = 9 ]; then
                    if [ "$kind" = record ]; then
                        echo "    #[netsuite(custom = \"custentity_field_$f\")]"
                    else
                        echo "    #[serde(rename = \"custentity_field_$f\", default, skip_serializing_if = \"Option::is_none\")]"
                    fi
                elif [ "$kind" = serde ]; then
                    echo "    #[serde(default, skip_serializing_if = \"Option::is_none\")]"
                fi
                echo "    pub field_$f: $ty,"
            done
            echo "}"
        done
    } >"$dir/src/lib.rs"
}

once() { # once <dir> → wall time of one debug rebuild of the crate itself (deps warm)
    local dir=$1 t0 t1
    touch "$dir/src/lib.rs"
    t0=$(date +%s.%N)
    (cd "$dir" && cargo build --offline -q)
    t1=$(date +%s.%N)
    echo "$t0 $t1" | awk '{print $2 - $1}'
}

min() { tr ' ' '\n' | awk 'NF && (m == "" || $1 < m) { m = $1 } END { print m }'; }

gen record "$BENCH/record"
gen serde "$BENCH/serde"
for d in serde record; do
    (cd "$BENCH/$d" && (cargo build --offline -q 2>/dev/null || cargo build -q))
done
echo "structs: $STRUCTS × $FIELDS fields; best of $RUNS debug rebuilds of each crate, interleaved (dependencies warm)"
S=""
R=""
for _ in $(seq 1 "$RUNS"); do
    S="$S $(once "$BENCH/serde")"
    R="$R $(once "$BENCH/record")"
done
T_SERDE=$(echo "$S" | min)
T_RECORD=$(echo "$R" | min)
echo "serde derives only:   ${T_SERDE}s   (runs:$S)"
echo "#[derive(Record)]:    ${T_RECORD}s   (runs:$R)"
awk -v a="$T_RECORD" -v b="$T_SERDE" 'BEGIN { printf "ratio: %.2f× (goal ≤ 1.5×)\n", a / b }'
