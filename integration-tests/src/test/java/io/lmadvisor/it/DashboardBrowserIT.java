package io.lmadvisor.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.executor.ExecutorSettings;
import io.lmadvisor.executor.MigrationExecutorRunner;
import io.lmadvisor.streams.app.AdvisorApplication;
import io.lmadvisor.streams.model.ModelSource;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium) against a
 * demo-like pipeline: embedded broker, the advisor through {@link AdvisorApplication}, a simulated fleet and
 * executor. Checks the login, the fleet view, a risk event arriving live, a VM page with five predictions,
 * and the model view. With {@code -Dlm.dashboard.screenshots=DIR} (or {@code LM_DASHBOARD_SCREENSHOTS}) it
 * saves the three views as {@code dashboard-*.png}. Skipped, with the reason, without Chromium.
 */
@WithEmbeddedKafka(partitions = 3)
class DashboardBrowserIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String TOKEN = "dashboard-it-token";
    private static final int VMS = 24;
    private static final int HOSTS = 6;
    private static final int SPEEDUP = 20;
    private static final Duration BACKFILL = Duration.ofMinutes(12);

    private final List<AutoCloseable> open = new ArrayList<>();
    /** Once set, every host reports no free memory or CPU: the advisor must raise DESTINATION_CAPACITY. */
    private final AtomicBoolean hostsFull = new AtomicBoolean();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    static void assumeChromium() {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
                        + "); .ci/run installs them");
    }

    static WebDriver chromium(Path profileDir) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1400,1600",
                "--user-data-dir=" + profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        WebDriver driver = new ChromeDriver(service, o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return driver;
    }

    @Test
    void theDashboardShowsTheFleetLiveAndIsProtectedByTheToken(EmbeddedKafkaBroker broker) throws Exception {
        assumeChromium();
        AdvisorPipeline pipeline = new AdvisorPipeline(broker, dir.resolve("state"), "dashboard-browser-it", TOKEN);
        open.add(pipeline);
        String base = pipeline.base();
        ModelSource model = pipeline.model;
        MigrationExecutorRunner executor = new MigrationExecutorRunner(
                pipeline.clientConfig(), ExecutorSettings.defaults().withSeed(5));
        open.add(executor);
        executor.start();
        pipeline.publishFleet(HOSTS, VMS, BACKFILL, SPEEDUP, hostsFull::get);

        // Token protection, as a plain HTTP client sees it.
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> page =
                http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, page.statusCode(), "no cookie: the page sends the browser to the login form");
        assertEquals("/login", page.headers().firstValue("Location").orElse(""));
        assertEquals(401, get(http, base + "/dashboard/api/fleet", null).statusCode(), "no cookie: data is refused");
        HttpResponse<String> wrong = http.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=not-the-token"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty(), "a wrong token gets no cookie");
        HttpResponse<String> right = http.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, right.statusCode());
        String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        assertTrue(!cookie.contains(TOKEN), "the cookie is not the token");
        // The right cookie is let in (503 until Kafka Streams is running, then 200 below).
        assertTrue(get(http, base + "/dashboard/api/fleet", cookie.substring(0, cookie.indexOf(';')))
                        .statusCode()
                != 401);

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> f =
                            get(http, base + "/dashboard/api/fleet", cookie.substring(0, cookie.indexOf(';')));
                    return f.statusCode() == 200
                            && new com.fasterxml.jackson.databind.ObjectMapper()
                                            .readTree(f.body())
                                            .path("vms")
                                            .size()
                                    == VMS;
                });

        WebDriver driver = chromium(dir.resolve("chrome"));
        open.add(driver::quit);
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.get(base + "/");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.getCurrentUrl().endsWith("/login"));
        driver.findElement(By.id("token")).sendKeys("wrong-token");
        driver.findElement(By.cssSelector("#login button")).click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.getPageSource().contains("Wrong token"));
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.cssSelector("#login button")).click();

        // Fleet view: every VM, on its host.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> driver.findElements(By.cssSelector("a.vm")).size() == VMS);
        assertEquals(HOSTS, driver.findElements(By.cssSelector("section.host")).size());
        await().atMost(Duration.ofSeconds(10)).until(() -> js.executeScript("return window.lmFirstPaintMs") != null);
        System.out.printf(
                "dashboard first paint, %d VMs on the live pipeline: %.0f ms%n",
                VMS, ((Number) js.executeScript("return window.lmFirstPaintMs")).doubleValue());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "live".equals(driver.findElement(By.id("status")).getText()));

        // VM view: five algorithms' predictions, copyable settings or the reason there are none.
        WebElement vm = driver.findElements(By.cssSelector("a.vm")).get(0);
        String vmId = vm.getAttribute("data-vm");
        vm.click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.findElements(By.cssSelector("table.predictions tr[data-algorithm]"))
                                .size()
                        == 5);
        for (WebElement row : driver.findElements(By.cssSelector("table.predictions tr[data-algorithm]"))) {
            assertTrue(
                    row.findElements(By.tagName("td")).get(0).getText().matches("[0-9.,]+( ⚠)?"),
                    "a predicted total time for " + row.getAttribute("data-algorithm") + ": " + row.getText());
        }
        assertTrue(driver.findElement(By.tagName("h2")).getText().contains(vmId));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> driver.findElements(By.cssSelector("#b-tt canvas")).size() > 0);
        assertTrue(driver.findElements(By.id("set-virsh")).isEmpty()
                || driver.findElement(By.id("set-virsh")).getText().startsWith("virsh migrate --live"));
        screenshot(driver, "vm");
        driver.findElement(By.id("nav-fleet")).click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.findElements(By.cssSelector("a.vm")).size() == VMS);

        // A risk event appears live: the hosts fill up, the advisor raises DESTINATION_CAPACITY, SSE brings it.
        String raised = "#feed li.risk.raised[data-risk='DESTINATION_CAPACITY']";
        int before = driver.findElements(By.cssSelector(raised)).size();
        hostsFull.set(true);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> driver.findElements(By.cssSelector(raised)).size() > before);
        assertTrue(driver.findElement(By.cssSelector(raised)).getText().contains("RAISED"));
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        driver.findElements(By.cssSelector("a.vm.sev-CRITICAL")).size() > 0);
        screenshot(driver, "fleet");

        // Model view: version and provenance of the bundled model.
        driver.findElement(By.id("nav-model")).click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.findElements(By.cssSelector("dl.prov")).size() == 1);
        assertTrue(driver.findElement(By.tagName("h2"))
                .getText()
                .contains(model.get().modelVersion()));
        screenshot(driver, "model");

        // Signing out drops the cookie: the page goes back to the login form.
        driver.get(base + "/");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.findElements(By.cssSelector("header form button"))
                                .size()
                        == 1);
        driver.findElement(By.cssSelector("header form button")).click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.getCurrentUrl().endsWith("/login"));
        driver.get(base + "/");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> driver.getCurrentUrl().endsWith("/login"));
    }

    /**
     * First paint with 5,000 VMs on 100 hosts: the real page, scripts and chart library, served with a
     * synthetic fleet answer of the real shape (a live 5,000-VM pipeline does not fit a shared 2-core
     * machine). Prints the figure; no timed assertion.
     */
    @Test
    void firstPaintWithFiveThousandVms() throws Exception {
        assumeChromium();
        int vms = 5_000;
        int hosts = 100;
        StringBuilder fleet = new StringBuilder("{\"modelVersion\":\"synthetic\",\"servedBy\":\"stub\",\"hosts\":[");
        for (int h = 0; h < hosts; h++) {
            fleet.append(h == 0 ? "" : ",")
                    .append(String.format(
                            java.util.Locale.ROOT,
                            "{\"hostId\":\"host-%03d\",\"cpuCores\":32,\"cpuAvailPercent\":%d,\"memTotalMb\":262144,"
                                    + "\"memAvailMb\":%d,\"migrationLinkSpeedMBps\":1250,\"migrationLinkAvailMBps\":%d}",
                            h,
                            20 + h % 60,
                            20_000 + h * 1000,
                            300 + h * 7));
        }
        fleet.append("],\"vms\":[");
        String[] risks = {"DOWNTIME_RISK", "PRECOPY_NON_CONVERGENT", "DESTINATION_CAPACITY", "NO_FEASIBLE_MIGRATION"};
        String[] severities = {"WARNING", "WARNING", "WARNING", "CRITICAL"};
        String[] algorithms = {"PRECOPY", "AUTO_CONVERGE", "XBZRLE", "COMPRESS", "POSTCOPY"};
        for (int v = 0; v < vms; v++) {
            boolean risky = v % 9 == 0;
            int r = v % risks.length;
            fleet.append(v == 0 ? "" : ",")
                    .append(String.format(
                            java.util.Locale.ROOT,
                            "[\"vm-%05d\",\"host-%03d\",%s,%s,%s,\"%s\",%d,%d]",
                            v,
                            v % hosts,
                            risky && r == 3 ? "null" : "\"" + algorithms[v % 5] + "\"",
                            risky ? "\"" + risks[r] + "\"" : "null",
                            risky ? "\"" + severities[r] + "\"" : "null",
                            risky ? risks[r] : "",
                            2048 + v % 4 * 2048,
                            1000 + v % 50 * 300));
        }
        fleet.append("]}");
        byte[] fleetJson = fleet.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            String resource = switch (path) {
                case "/" -> "dashboard/index.html";
                case "/dashboard/lib/uplot.js" -> "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js";
                case "/dashboard/lib/uplot.css" -> "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css";
                default ->
                    path.startsWith("/dashboard/static/")
                            ? "dashboard/" + path.substring("/dashboard/static/".length())
                            : null;
            };
            byte[] body;
            String type;
            if (path.equals("/dashboard/api/fleet")) {
                body = fleetJson;
                type = "application/json";
            } else if (path.equals("/dashboard/events")) {
                body = ": no live feed in this measurement\n\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                type = "text/event-stream";
            } else {
                try (java.io.InputStream in =
                        resource == null ? null : getClass().getClassLoader().getResourceAsStream(resource)) {
                    body = in == null ? null : in.readAllBytes();
                }
                type = path.endsWith(".js") ? "text/javascript" : path.endsWith(".css") ? "text/css" : "text/html";
            }
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.getResponseHeaders().set("Content-Type", type);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        server.start();
        open.add(() -> server.stop(0));
        WebDriver driver = chromium(dir.resolve("chrome-5k"));
        open.add(driver::quit);
        JavascriptExecutor js = (JavascriptExecutor) driver;
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        List<Long> figures = new ArrayList<>();
        for (int run = 0; run < 3; run++) {
            driver.get(base + "/?run=" + run);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> js.executeScript("return window.lmFirstPaintMs") != null);
            figures.add(Math.round(((Number) js.executeScript("return window.lmFirstPaintMs")).doubleValue()));
            assertEquals(
                    vms, ((Number) js.executeScript("return document.querySelectorAll('a.vm').length")).intValue());
        }
        System.out.printf(
                "dashboard first paint, %d VMs on %d hosts (%d KB of fleet JSON), 3 loads: %s ms%n",
                vms, hosts, fleetJson.length / 1024, figures);
    }

    private static HttpResponse<String> get(HttpClient http, String url, String cookie)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Saves a screenshot when a directory is given; the docs show these. */
    static void screenshot(WebDriver driver, String view) throws IOException {
        String target = System.getProperty("lm.dashboard.screenshots", System.getenv("LM_DASHBOARD_SCREENSHOTS"));
        if (target == null || target.isBlank()) {
            return;
        }
        Path out = Path.of(target);
        Files.createDirectories(out);
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), out.resolve("dashboard-" + view + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
