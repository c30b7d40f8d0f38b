package io.lmadvisor.streams.calibration;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.ModelDecision;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.avro.ModelEventCell;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.learn.Calibration;
import io.lmadvisor.streams.model.ModelSource;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous calibration beside the topology: reads {@code lm.training-rows}, and after every N new rows
 * calibrates a challenger from the prior on the fleet's rows (the newest {@code maxRows}), compares it
 * with the serving champion ({@link ChampionChallenger}), promotes it into the {@link ModelSource} the
 * topology reads, and publishes the decision on {@code lm.model-events}. Training runs on one
 * low-priority thread, one challenger at a time (rows that arrive meanwhile wait for the next round), so
 * it never takes the stream threads' CPU or more than one training set of memory.
 */
public final class CalibrationService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CalibrationService.class);

    private final Map<String, Object> clientConfig;
    private final String trainingTopic;
    private final String eventTopic;
    private final ModelSource models;
    private final ModelArtifact prior;
    private final CalibrationSettings settings;
    private final ChampionChallenger.Trainer trainer;
    private final Serializer<ModelEvent> eventSerializer;
    private final Consumer<String> say;
    private final Deque<MigrationRecord> rows = new ArrayDeque<>();
    private final AtomicBoolean training = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong badRows = new AtomicLong();
    private final AtomicLong decisions = new AtomicLong();
    private final ExecutorService worker;
    private final String header = CsapWriter.header(DatasetFormat.CSAP);
    private Thread reader;
    private volatile KafkaConsumer<String, String> consumer;
    private KafkaProducer<String, ModelEvent> producer;
    private long sinceLast;
    private long seed = 1;

    /**
     * @param clientConfig    Kafka client settings (bootstrap.servers, security); group.id defaults to
     *                        {@code lm-advisor-calibration}
     * @param prior           what every challenger is calibrated from (corrections do not stack)
     * @param eventSerializer {@code ModelEvent} in the registry's wire format
     * @param say             one-line status messages (the CLI prints them)
     */
    public CalibrationService(
            Map<String, Object> clientConfig,
            String trainingTopic,
            String eventTopic,
            ModelSource models,
            ModelArtifact prior,
            CalibrationSettings settings,
            ChampionChallenger.Trainer trainer,
            Serializer<ModelEvent> eventSerializer,
            Consumer<String> say) {
        this.clientConfig = new HashMap<>(clientConfig);
        this.trainingTopic = trainingTopic;
        this.eventTopic = eventTopic;
        this.models = models;
        this.prior = prior;
        this.settings = settings;
        this.trainer = trainer;
        this.eventSerializer = eventSerializer;
        this.say = say;
        this.worker = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(1),
                r -> {
                    Thread t = new Thread(r, "lm-calibration");
                    t.setDaemon(true);
                    t.setPriority(Thread.MIN_PRIORITY);
                    return t;
                },
                new ThreadPoolExecutor.DiscardPolicy());
    }

    public static ChampionChallenger.Trainer defaultTrainer() {
        return ChampionChallenger.calibration(Calibration.Params.defaults(), 42);
    }

    public CalibrationService start() {
        Map<String, Object> c = new HashMap<>(clientConfig);
        c.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "lm-advisor-calibration");
        c.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> p = new HashMap<>(clientConfig);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), eventSerializer);
        consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        reader = new Thread(this::readLoop, "lm-calibration-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private void readLoop() {
        try {
            consumer.subscribe(List.of(trainingTopic));
            while (!closed.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    accept(r.partition() + "-" + r.offset(), r.value());
                }
            }
        } catch (WakeupException e) {
            // close()
        } catch (RuntimeException e) {
            LOG.error("continuous calibration stopped reading {}: {}", trainingTopic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** One csap row from the topic; a bad one is counted and logged, never fatal. */
    void accept(String id, String line) {
        MigrationRecord rec = parse(id, line);
        if (rec == null) {
            return;
        }
        List<MigrationRecord> snapshot = null;
        synchronized (rows) {
            rows.addLast(rec);
            while (rows.size() > settings.maxRows()) {
                rows.removeFirst();
            }
            if (++sinceLast >= settings.everyRows() && training.compareAndSet(false, true)) {
                sinceLast = 0;
                snapshot = new ArrayList<>(rows);
            }
        }
        if (snapshot != null) {
            List<MigrationRecord> s = snapshot;
            worker.execute(() -> round(s));
        }
    }

    private MigrationRecord parse(String id, String line) {
        if (line == null || line.isBlank()) {
            bad("an empty value");
            return null;
        }
        try {
            var d = DatasetFormat.CSAP
                    .reader()
                    .read(new StringReader(header + "\n" + line + "\n"), null, ReadOptions.defaults());
            if (d.records().size() == 1) {
                MigrationRecord r = d.records().get(0);
                // Ids are partition-offset: a one-line read would number every row alike.
                return new MigrationRecord(id, 0, r.algorithm(), r.workload(), r.raw(), r.targets());
            }
            bad(d.badRows().isEmpty() ? "no row" : d.badRows().get(0).reason());
        } catch (IOException | RuntimeException e) {
            bad(e.getMessage());
        }
        return null;
    }

    private void bad(String why) {
        if (badRows.incrementAndGet() <= 5) {
            LOG.warn("skipped a row of {} that is not a csap row: {}", trainingTopic, why);
        }
    }

    private void round(List<MigrationRecord> fleet) {
        try {
            ModelArtifact champion = models.artifact();
            ChampionChallenger.Decision d = ChampionChallenger.decide(
                    champion, prior, fleet, settings.folds(), settings.marginRatio(), trainer, seed++);
            if (d.promote()) {
                models.promote(d.challenger());
            }
            ModelEvent e = event(champion, d, fleet);
            producer.send(new ProducerRecord<>(eventTopic, e.getChallengerVersion(), e), (m, ex) -> {
                if (ex != null) {
                    LOG.error(
                            "model event for {} not published on {}: {}",
                            e.getChallengerVersion(),
                            eventTopic,
                            ex.toString());
                }
            });
            decisions.incrementAndGet();
            say.accept("calibration: " + (d.promote() ? "promoted " : "kept " + champion.versionId() + " over ")
                    + d.challenger().versionId() + ": " + d.reason());
        } catch (RuntimeException | Error e) {
            LOG.error(
                    "calibration round on {} rows failed, keeping model {}: {}",
                    fleet.size(),
                    models.get().modelVersion(),
                    e.toString());
        } finally {
            training.set(false);
        }
    }

    ModelEvent event(ModelArtifact champion, ChampionChallenger.Decision d, List<MigrationRecord> fleet) {
        List<ModelEventCell> cells = new ArrayList<>();
        for (ChampionChallenger.Cell c : d.cells()) {
            cells.add(ModelEventCell.newBuilder()
                    .setAlgorithm(MigrationAlgorithm.valueOf(c.algorithm().name()))
                    .setMetric(c.target().name())
                    .setRows(c.rows())
                    .setChampionGmre(finite(c.championGmre()))
                    .setChallengerGmre(finite(c.challengerGmre()))
                    .build());
        }
        return ModelEvent.newBuilder()
                .setDecision(d.promote() ? ModelDecision.PROMOTED : ModelDecision.KEPT_CHAMPION)
                .setReason(d.reason())
                .setChampionVersion(champion.versionId())
                .setChallengerVersion(d.challenger().versionId())
                .setPriorVersion(prior.versionId())
                .setFleetFingerprint(DatasetFingerprint.of(fleet))
                .setTrainingRows(fleet.size())
                .setFolds(Math.max(2, Math.min(settings.folds(), fleet.size())))
                .setMarginRatio(settings.marginRatio())
                .setCells(cells)
                .setDecidedAt(Instant.now())
                .build();
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Decisions published so far. */
    public long decisions() {
        return decisions.get();
    }

    public long badRows() {
        return badRows.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        KafkaConsumer<String, String> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (reader != null) {
            try {
                reader.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.shutdownNow();
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }
}
