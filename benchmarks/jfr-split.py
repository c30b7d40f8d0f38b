#!/usr/bin/env python3
"""Where the stream threads' time goes, from a JFR recording of StreamsBenchmark (docs/PERFORMANCE.md).

  jfr print --json --stack-depth 100 --events jdk.ExecutionSample rec.jfr > rec.json
  python3 benchmarks/jfr-split.py rec.json [N]    # N: also print the N most common unclassified stacks

Each stream-thread sample goes to the first bucket that one of its frames names.
"""
import json, sys, collections
d = json.load(open(sys.argv[1]))
ev = d['recording']['events']
thr = collections.Counter(); cat = collections.Counter(); leaf = collections.Counter(); trunc = 0
# first match wins, checked against the whole stack (leaf first -> root)
RULES = [
 ('per profile: scoring (model trees)', ['io.lmadvisor.model.score', 'CompiledTrees', 'GradientBoosted', 'OptionScoring']),
 ('per profile: host lookups', ['RecommendProcessor.hostStates', 'ProfileWindowProcessor.toProfile']),
 ('per profile: decision (ranking, SLA, risks, text)', ['RecommendationEngine.decide']),
 ('per profile: online evaluation', ['io.lmadvisor.streams.evaluation']),
 ('per profile: risk processor', ['RiskProcessor']),
 ('per profile: outputs + latest stores (Avro)', ['RecommendProcessor.process', 'io.lmadvisor.serde.AvroSerializer']),
 ('window state (de)serialization', ['VmWindowState', 'WriteBackStore.flushCache']),
 ('window punctuation', ['closeDueWindows']),
 ('window store layers', ['WriteBackStore', 'CachingKeyValueStore', 'MeteredKeyValueStore', 'ThreadCache']),
 ('sample Avro decode + validation', ['ValidatingSerde', 'RecordValidator', 'VmSampleTimestampExtractor']),
 ('evaluation input decode (Avro)', ['io.lmadvisor.serde.AvroDeserializer']),
 ('profile fold (aggregator, window map)', ['ProfileWindowProcessor']),
 ('commit + transactions', ['maybeCommit', 'commitTasksAndMaybeUpdateCommittableOffsets', 'TaskExecutor.commit', 'commitTransaction', 'prepareCommit', 'postCommit', 'TaskManager.commit']),
 ('producer send (changelog, outputs)', ['RecordCollectorImpl', 'KafkaProducer']),
 ('consumer poll / fetch', ['KafkaConsumer.poll', 'ClassicKafkaConsumer.poll', 'StreamThread.pollPhase', 'Fetcher', 'CompletedFetch']),
 ('Kafka Streams loop (record queue, key decode)', ['RecordQueue', 'PartitionGroup', 'StreamTask', 'TaskExecutor', 'SourceNode']),
]
for e in ev:
    v = e['values']
    tn = v['sampledThread']['javaName'] or v['sampledThread']['osName']
    st = v['stackTrace']
    if st is None: continue
    frames = [f['method']['type']['name'].replace('/', '.') + '.' + f['method']['name'] for f in st['frames']]
    # Thread groups: Kafka Streams' threads, the embedded broker's, the rest by name prefix.
    group = 'stream thread' if 'StreamThread' in tn else ('broker' if ('kafka' in tn.lower() or 'data-plane' in tn or 'raft' in tn.lower() or 'Request' in tn or 'Log' in tn) else tn.split('-')[0])
    thr[group] += 1
    if group != 'stream thread': continue
    if st.get('truncated'): trunc += 1
    c = 'other'
    for name, keys in RULES:
        if any(k in f for f in frames for k in keys):
            c = name; break
    cat[c] += 1
    if c == 'other': leaf[' < '.join(frames[:4])] += 1
tot = sum(thr.values())
print('threads (all samples %d):' % tot)
for k, n in thr.most_common(12): print('  %5.1f%%  %s' % (100.0*n/tot, k))
s = sum(cat.values())
print('stream threads: %d samples (%d truncated stacks)' % (s, trunc))
for k, n in cat.most_common(): print('  %5.1f%%  %s' % (100.0*n/s, k))
if len(sys.argv) > 2:
    for k, n in leaf.most_common(int(sys.argv[2])): print(n, k)
