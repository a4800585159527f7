package io.sparkgen.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkgen.jobs.Main;
import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.eval.MetricRow;
import io.sparkgen.jobs.eval.MetricsTable;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.TrainJob;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The report over real tiny training runs of every family side by side (one labelled with a
 * script tag), with metric rows computed here from each run's sample grids against the training
 * shards: the written tables, the HTML in headless Chromium, and every notebook executed against
 * the tables.
 */
class ReportJobTest {

  static final String EVIL = "<script>alert(1)</script>";
  private static final Map<String, String> MODELS = Map.of(
      "vae", "{latent-dim = 2, label-embedding-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, "
          + "decoder-channels = [4, 4]}",
      "gan", "{noise-dim = 4, kernel-size = 3, generator-channels = [8, 4, 4], discriminator-channels = [4, 8]}",
      "flow", "{steps = 2, hidden-channels = 4}",
      "diffusion", "{channels = [4, 8], groups = 4, time-embedding-dim = 8, timesteps = 50, sampler-steps = 5}",
      "vaegan", "{latent-dim = 2, label-embedding-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, "
          + "decoder-channels = [4, 4], discriminator-kernel-size = 3, discriminator-channels = [4, 8]}",
      // RUNS: the runs directory; the vae run is trained first (Families lists it first).
      "latent-diffusion", "{autoencoder = \"RUNS/vae\", width = 8, blocks = 1, groups = 2, time-feature-dim = 8, "
          + "time-embedding-dim = 8, timesteps = 20, sampler-steps = 4}");
  static final String PIXELS_HASH = "a1".repeat(32);
  static final String SQUARES_HASH = "b2".repeat(32);

  @TempDir static Path tmp;
  static Path runs;
  static Path report;
  static List<String> families = new ArrayList<>();
  static String output;

  @BeforeAll
  static void trainEvaluateAndReport() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 80, 8, 8, false);
    Path data = tmp.resolve("shards");
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in") + "\"]", "output=" + data,
        "shards.train=2", "split.test-fraction=0");
    double[] real = intensityStats(Shards.read(data.toString()).values().stream().map(Shards.StoredImage::pixels)
        .toList());
    runs = tmp.resolve("runs");
    for (Family<?> family : Families.all()) {
      String id = family.id();
      families.add(id);
      String dirName = id.equals("gan") ? "gan-evil" : id;
      Path runDir = runs.resolve(dirName);
      new TrainJob(TestSpark.session(), ConfigLoader.load(List.of(), List.of("train.data=" + data,
          "train.run-dir=" + runDir, "train.model.family=" + id, "train.model.config=" + MODELS.getOrDefault(id, "{}").replace("RUNS", runs.toString()),
          "train.batch-size=4", "train.averaging-frequency=2", "train.total-images=48",
          "train.checkpoint-every-rounds=1", "train.sample-grid-images=9"), Map.of())).run();
      MetricsTable.append(TestSpark.session(), new org.apache.hadoop.fs.Path(runDir.toString()), "eval-1",
          metricRows(id.equals("gan") ? EVIL : dirName, runDir, id, real));
    }
    // A memorisation check for one run (the evaluate job will write these): rendered where present.
    Path vae = runs.resolve("vae");
    Files.createDirectories(vae.resolve("eval"));
    Files.copy(vae.resolve("samples/samples-000000000006.png"), vae.resolve("eval/nearest-000000000006.png"));
    Files.writeString(vae.resolve("eval/nearest-000000000006.json"),
        "{\"extractor\":\"pixels\",\"extractorHash\":\"" + PIXELS_HASH + "\",\"distances\":[[1.5,2.25],[0.75,3.0]]}");

    Path bench = tmp.resolve("results.csv");
    Files.writeString(bench, "run_id,benchmark,metric,unit,mean,sd,n,detail\n"
        + "b1,train-scaling,images/s executors=1,images/s,20.5,1,3,\n"
        + "b1,train-scaling,images/s executors=2,images/s,36.0,1,3,\"<i>2 executors</i>\"\n"
        + "b1,nd4j-sgemm,n=512,GFLOP/s,97.9,2,3,\n");
    Path out = tmp.resolve("report");
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      code = Main.run("report", "--master", "local[2]", "--runs", runs.toString(), "--out", out.toString(),
          "--label", "gan-evil=" + EVIL, "--bench-results", bench.toString(), "--set", "spark.conf={\"spark.ui.enabled\" = \"false\"}");
    } finally {
      System.setOut(stdout);
    }
    output = captured.toString(StandardCharsets.UTF_8);
    System.out.print(output);
    assertEquals(0, code, output);
    report = out.resolve("report.html");
    assertTrue(output.contains("report: " + report.toUri().toString().replace("file:///", "file:/")), output);
  }

  /** 1-D statistics of pixel intensities on [0, 1]: mean, sd, 5th and 95th percentile. */
  static double[] intensityStats(List<byte[]> images) {
    List<Double> all = new ArrayList<>();
    images.forEach(p -> {
      for (byte b : p) {
        all.add((b & 0xff) / 255.0);
      }
    });
    all.sort(Double::compare);
    double mean = all.stream().mapToDouble(d -> d).average().orElseThrow();
    double var = all.stream().mapToDouble(d -> (d - mean) * (d - mean)).average().orElseThrow();
    return new double[] {mean, Math.sqrt(var), all.get(all.size() / 20), all.get(all.size() * 19 / 20), all.size()};
  }

  /**
   * Per checkpoint: the 1-D Frechet distance of pixel intensities (sample grid vs training shards) as
   * "fid" under two extractors (intensities, squared intensities) and two sample counts, a "kid" with
   * its std, precision and recall of the intensity ranges, and bits-per-dim for the flow: real numbers
   * of the run, standing in for the evaluate job's.
   */
  static List<MetricRow> metricRows(String run, Path runDir, String family, double[] real) throws Exception {
    List<MetricRow> rows = new ArrayList<>();
    List<String> stats = Files.readAllLines(runDir.resolve("stats.csv"));
    for (String line : stats.subList(1, stats.size())) {
      String[] cells = line.split(",");
      long step = Long.parseLong(cells[1]);
      long seen = Long.parseLong(cells[2]);
      RawImage grid = ImageCodec.decode(Files.readAllBytes(runDir.resolve(String.format("samples/samples-%012d.png",
          step))));
      byte[] half = java.util.Arrays.copyOf(grid.pixels(), grid.pixels().length / 2);
      double[] fake = intensityStats(List.of(grid.pixels()));
      double[] fakeHalf = intensityStats(List.of(half));
      double fid = sq(fake[0] - real[0]) + sq(fake[1] - real[1]);
      double fidHalf = sq(fakeHalf[0] - real[0]) + sq(fakeHalf[1] - real[1]);
      double fidSquares = sq(fake[0] * fake[0] - real[0] * real[0]) + sq(fake[1] * fake[1] - real[1] * real[1]);
      rows.add(row(run, runDir, family, step, seen, "fid", fid, Double.NaN, 9, "pixels", PIXELS_HASH));
      rows.add(row(run, runDir, family, step, seen, "fid", fidHalf, Double.NaN, 4, "pixels", PIXELS_HASH));
      rows.add(row(run, runDir, family, step, seen, "fid", fidSquares, Double.NaN, 9, "pixels-squared", SQUARES_HASH));
      rows.add(row(run, runDir, family, step, seen, "kid", Math.abs(fake[0] - real[0]), fake[1] / Math.sqrt(fake[4]), 9,
          "pixels", PIXELS_HASH));
      rows.add(row(run, runDir, family, step, seen, "precision", overlap(fake, real), Double.NaN, 9, "pixels",
          PIXELS_HASH));
      rows.add(row(run, runDir, family, step, seen, "recall", overlap(real, fake), Double.NaN, 9, "pixels",
          PIXELS_HASH));
      int bitsPerDim = List.of(stats.get(0).split(",")).indexOf("bits_per_dim");
      if (family.equals("flow") && bitsPerDim >= 0) {
        rows.add(row(run, runDir, family, step, seen, "bits-per-dim", Double.parseDouble(cells[bitsPerDim]), Double.NaN,
            0, "none", ""));
      }
    }
    return rows;
  }

  /** Share of a's 5-95 % range inside b's: a crude precision (a = fake) or recall (a = real). */
  private static double overlap(double[] a, double[] b) {
    double width = a[3] - a[2];
    return width <= 0 ? (a[2] >= b[2] && a[2] <= b[3] ? 1 : 0)
        : Math.max(0, Math.min(a[3], b[3]) - Math.max(a[2], b[2])) / width;
  }

  private static double sq(double v) {
    return v * v;
  }

  private static MetricRow row(String run, Path runDir, String family, long step, long seen, String metric, double value,
      double std, long nFake, String extractor, String hash) {
    return new MetricRow(run, "file:" + runDir.toAbsolutePath(), family, step, seen, metric, value, std, 80, nFake, extractor,
        hash, "grid-pixels/[0,1]", "train", 7, "c0".repeat(32), "d0".repeat(32), "e0".repeat(32), "0.1.0-SNAPSHOT",
        "eval-1", "2026-11-22T10:00:00Z");
  }

  @Test
  void writesTablesBesideTheReport() throws Exception {
    Path dir = report.getParent();
    try (Stream<Path> siblings = Files.list(dir.getParent())) {
      assertTrue(siblings.noneMatch(p -> p.getFileName().toString().startsWith(".report.staging-")),
          "staging directory renamed away");
    }
    Dataset<Row> metrics = TestSpark.session().read().parquet(dir.resolve("metrics.parquet").toString());
    long expectedMetrics = 0;
    for (String f : families) {
      expectedMetrics += 3 * (f.equals("flow") ? 7 : 6); // 3 checkpoints
    }
    assertEquals(expectedMetrics, metrics.count());
    assertEquals(List.of(MetricsTable.SCHEMA.fieldNames()), List.of(metrics.columns()));
    assertEquals(expectedMetrics + 1, Files.readAllLines(dir.resolve("metrics.csv")).size());

    Dataset<Row> stats = TestSpark.session().read().parquet(dir.resolve("stats.parquet").toString());
    assertEquals(3L * families.size(), stats.count(), "3 rounds per run");
    List<String> columns = List.of(stats.columns());
    assertEquals(ReportTables.STATS_FIXED, columns.subList(0, ReportTables.STATS_FIXED.size()));
    List<String> csv = Files.readAllLines(dir.resolve("stats.csv"));
    assertEquals(String.join(",", columns), csv.get(0));
    Row evil = stats.filter("run = '" + EVIL + "' and round = 3").first();
    assertEquals(48L, evil.getLong(evil.fieldIndex("images_seen")));
    // core_hours is the running sum of workers x wall seconds / 3600.
    List<Row> gan = stats.filter("run = '" + EVIL + "'").orderBy("round").collectAsList();
    double expected = 0;
    for (Row r : gan) {
      expected += r.getLong(r.fieldIndex("workers")) * r.getDouble(r.fieldIndex("wall_seconds")) / 3600;
    }
    assertEquals(expected, gan.get(2).getDouble(gan.get(2).fieldIndex("core_hours")), 1e-12);
    assertTrue(Files.readString(dir.resolve("config.conf")).contains("report"), "resolved config beside the report");
  }

  @Test
  void reportKeepsExtractorsAndSampleCountsApartAndEscapesData() throws Exception {
    String html = Files.readString(report);
    assertFalse(html.contains(EVIL), "the raw script tag never reaches the page");
    assertFalse(html.contains("<i>2 executors</i>"), "bench CSV cells are escaped too");
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertFalse(html.contains("src=\"http") || html.contains("href=\"http") || html.contains("url(http"), "nothing fetched");
    // fid under two extractors and two sample counts: three columns, never one.
    assertEquals(3, count(html, "data-metric=\"fid\""));
    assertEquals(1, count(html, "data-metric=\"bits-per-dim\""));
    // Every compared number links to its provenance row.
    int links = count(html, "href=\"#prov-");
    assertEquals(links, count(html, "<tr id=\"prov-"));
    assertTrue(links >= families.size() * 6, "links: " + links);
  }

  @Test
  void reportOpensInHeadlessChromium() throws Exception {
    File chromium = new File("/usr/bin/chromium");
    File driverBinary = new File("/usr/bin/chromedriver");
    boolean present = chromium.canExecute() && driverBinary.canExecute();
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing: .ci/run installs "
          + "the Debian packages chromium and chromium-driver");
    }
    assumeTrue(present, "chromium or chromedriver not installed (apt-get install chromium chromium-driver); "
        + "skipped outside CI");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--remote-allow-origins=http://127.0.0.1",
        "--remote-debugging-address=127.0.0.1", "--disable-dev-shm-usage", "--window-size=1400,1000");
    // No --allowed-ips: chromedriver then accepts and listens on loopback only (checked below).
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driverBinary)
        .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      int driverPort = service.getUrl().getPort();
      assertLoopbackOnly(driverPort);
      Object debugger = ((Map<?, ?>) driver.getCapabilities().getCapability("goog:chromeOptions")).get("debuggerAddress");
      assertNotNull(debugger);
      assertLoopbackOnly(Integer.parseInt(debugger.toString().substring(debugger.toString().lastIndexOf(':') + 1)));

      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
      driver.get(report.toUri().toString());
      try {
        driver.switchTo().alert();
        throw new AssertionError("an alert fired: a script from the data ran");
      } catch (NoAlertPresentException expected) {
        // no script ran
      }
      WebElement table = driver.findElement(By.id("comparison-table"));
      assertTrue(table.isDisplayed());
      List<WebElement> rows = table.findElements(By.cssSelector("tbody tr.run"));
      assertEquals(families.size(), rows.size());
      List<String> shownFamilies = rows.stream().map(r -> r.findElement(By.className("family")).getText()).toList();
      assertEquals(Set.copyOf(families), new HashSet<>(shownFamilies), "every family side by side");
      List<String> names = rows.stream().map(r -> r.findElement(By.className("run-name")).getText()).toList();
      assertTrue(names.contains(EVIL), "the script tag is shown as text: " + names);
      assertEquals(0, driver.findElements(By.xpath("//script")).size(), "no script element in the page");

      List<WebElement> charts = driver.findElements(By.cssSelector("svg.chart"));
      assertFalse(charts.isEmpty());
      assertTrue(charts.get(0).isDisplayed());
      assertTrue(charts.get(0).findElements(By.tagName("polyline")).size() >= 1);

      List<WebElement> grids = driver.findElements(By.cssSelector("img.sample-grid"));
      assertEquals(3 * families.size(), grids.size(), "3 checkpoints per run");
      WebElement grid = grids.get(0);
      grid.getLocation();
      new org.openqa.selenium.interactions.Actions(driver).scrollToElement(grid).perform();
      assertTrue(grid.isDisplayed());
      assertTrue(((Number) driver.executeScript("return arguments[0].naturalWidth", grid)).intValue() > 0,
          "the grid decoded");
      assertEquals(32L, ((Number) driver.executeScript("return arguments[0].naturalWidth", grid)).longValue());

      WebElement nearest = driver.findElement(By.cssSelector("img.nearest-grid"));
      assertTrue(((Number) driver.executeScript("return arguments[0].naturalWidth", nearest)).intValue() > 0);
      String body = driver.findElement(By.tagName("body")).getText();
      assertTrue(body.contains("Memorisation check not computed for this run."), "runs without one say so");
      assertTrue(body.contains("<i>2 executors</i>"), "bench detail shown as text");
      // For a person to look at: the page as Chromium drew it, and the report itself.
      Files.createDirectories(Path.of("target"));
      Files.write(Path.of("target/report-test-screenshot.png"), driver.getScreenshotAs(OutputType.BYTES));
      Files.copy(report, Path.of("target/report-test.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      driver.quit();
    }
  }

  /** Every listening TCP socket on the port is bound to a loopback address (from /proc/net/tcp and tcp6). */
  private static void assertLoopbackOnly(int port) throws IOException {
    String hexPort = String.format(":%04X", port);
    int listening = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.exists(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
        String[] f = line.trim().split("\\s+");
        if (f[1].endsWith(hexPort) && f[3].equals("0A")) { // 0A: LISTEN
          listening++;
          String address = f[1].substring(0, f[1].indexOf(':'));
          assertTrue(address.equals("0100007F") || address.equals("00000000000000000000000001000000"),
              "port " + port + " listens on " + address + ", not loopback");
        }
      }
    }
    assertTrue(listening > 0, "nothing listens on port " + port);
  }

  @Test
  void notebooksRunAgainstTheTables() throws Exception {
    boolean jupyter = new File("/usr/bin/jupyter-nbconvert").canExecute();
    if (!jupyter && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but jupyter-nbconvert is missing: .ci/run installs jupyter-nbconvert, "
          + "python3-pandas, python3-matplotlib and python3-ipykernel");
    }
    assumeTrue(jupyter, "jupyter-nbconvert not installed; skipped outside CI");
    Path notebooks = Path.of("..", "notebooks").toAbsolutePath().normalize();
    List<Path> all;
    try (Stream<Path> files = Files.list(notebooks)) {
      all = files.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
    }
    assertTrue(all.size() >= 4, "notebooks: " + all);
    Path executed = tmp.resolve("executed");
    for (Path nb : all) {
      assertFalse(Files.readString(nb).contains("\"output_type\""), nb + " is committed without outputs");
      ProcessBuilder pb = new ProcessBuilder("/usr/bin/jupyter-nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.timeout=120", "--output-dir", executed.toString(), nb.toString());
      pb.environment().put("SPARKGEN_TABLES", report.getParent().toString());
      pb.environment().put("MPLBACKEND", "Agg");
      pb.environment().put("PATH", "/usr/bin:/bin:" + pb.environment().getOrDefault("PATH", ""));
      pb.redirectErrorStream(true);
      Process process = pb.start();
      String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, process.waitFor(), nb.getFileName() + " failed:\n" + log);
      String out = Files.readString(executed.resolve(nb.getFileName()));
      assertFalse(out.contains("\"output_type\": \"error\""), nb + ":\n" + out);
    }
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
