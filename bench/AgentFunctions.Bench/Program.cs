using System.Diagnostics;
using System.Globalization;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Bench;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Telemetry;

// Usage: dotnet run -c Release --project bench/AgentFunctions.Bench -- [--n 5000] [--concurrency 128]
//        [--rate 200] [--seconds 20] [--warmup 1000 (tasks per warm-up round)] [--server path/to/AgentFunctions.Standalone.dll]
//        [--durable-n 500 (fan-out-2 tasks per Durable backend; 0 skips them)] [--durable-only]
//        [--otlp (the server exports traces and metrics over OTLP/HTTP to a collector in this process on loopback)]
//        [--large-n 20 (concurrent maximum-size completes on a fresh server; 0 skips them)]
var options = BenchOptions.Parse(args);
if (options.DurableOnly)
{
    await DurableBench.RunAsync(options.DurableTasks, Math.Min(options.Concurrency, 32), Report);
    return 0;
}

var settings = new Dictionary<string, string>
{
    ["Roles:implementation:Runner"] = "echo",
    ["Roles:implementation:Concurrency"] = "32",
    ["Roles:review:Runner"] = "echo",
    ["Roles:review:Concurrency"] = "32",
};

// Export off is the default (no OTEL_* variables: nothing listens to the spans and instruments). With --otlp the server
// sends everything to a loopback collector with the SDK's own span batching defaults, as a deployment would, and its
// metrics every 10 s (the default 60 s would not come round in a short run, hiding what reading the figures costs).
await using var collector = options.Otlp ? await OtlpReceiver.StartAsync() : null;
var environment = new Dictionary<string, string>
{
    [OtlpExport.EndpointVariable] = collector?.Endpoint ?? string.Empty,
};
if (collector is not null)
{
    environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
    environment[OtlpExport.ServiceNameVariable] = "agentfunctions-bench";
    environment["OTEL_METRIC_EXPORT_INTERVAL"] = "10000";
}

await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
{
    ServerPath = options.ServerDll,
    Settings = settings,
    Environment = environment,
    OnOutputLine = line => Console.Error.WriteLine("server: " + line),
});
using var client = new LoadClient(server.BaseAddress, options.Concurrency);
Console.WriteLine($"server: {options.ServerDll}");
Console.WriteLine($"otlp export: {(collector is null ? "off" : "on, to " + collector.Endpoint)}");
Console.WriteLine($"tasks: {options.Tasks} fan-out-2 (implementation + review, echo runner), {options.Concurrency} concurrent clients");

// Warm-up, not counted: connection pool, SQLite page cache, and above all the tiered JIT, which keeps compiling
// optimized code for a while. A long-running server is past it, so warm up in rounds until a round leaves the
// server's count of compiled methods (nearly) unchanged.
var warmed = 0;
var rounds = 0;
var compiled = await client.JitCompiledMethodsAsync();
while (true)
{
    var round = rounds++;
    await LoadClient.RunConcurrentlyAsync(options.Warmup, options.Concurrency, i => client.SubmitAsync($"warm-{round}-{i}"));
    warmed += options.Warmup;
    await client.WaitForFinishedAsync(warmed, TimeSpan.FromMinutes(5));
    await Task.Delay(TimeSpan.FromSeconds(1));
    var now = await client.JitCompiledMethodsAsync();
    var settled = now - compiled < 25;
    compiled = now;
    if (settled || rounds == 10)
    {
        break;
    }
}

Report("warmup_tasks", warmed);
Report("warmup_rounds", rounds);

// What the burst adds to disk and where the journal spends its time: measured from here to the end of the read-back,
// once the warm-up's own outbox work is done.
await client.WaitForFilesWrittenAsync(TimeSpan.FromMinutes(5));
var usageBefore = DataDirectoryUsage.Of(server.DataDirectory);
var diagnosticsBefore = await client.DiagnosticsAsync();

// Burst: every task as fast as the clients can submit; first submit to last completion.
var submitted = new DateTimeOffset[options.Tasks];
var clock = Stopwatch.StartNew();
var firstSubmit = DateTimeOffset.UtcNow;
await LoadClient.RunConcurrentlyAsync(options.Tasks, options.Concurrency, async i =>
{
    submitted[i] = DateTimeOffset.UtcNow;
    await client.SubmitAsync($"burst-{i}");
});
var submitSeconds = clock.Elapsed.TotalSeconds;
await client.WaitForFinishedAsync(warmed + options.Tasks, TimeSpan.FromMinutes(10));
var finishedSeen = DateTimeOffset.UtcNow;
// Artifacts are committed with the outcome that produced them; what the outbox still writes behind the commits (none
// of it per task here) is measured by how far it lags. Then read every task back through the API (result, artifact
// list, each artifact) as a client would once it sees the outcome.
var filesWritten = client.WaitForFilesWrittenAsync(TimeSpan.FromMinutes(5));
var artifactsRead = 0L;
var artifactBytesRead = 0L;
await LoadClient.RunConcurrentlyAsync(options.Tasks, options.Concurrency, async i =>
{
    var (count, bytes) = await client.ReadBackAsync($"burst-{i}");
    Interlocked.Add(ref artifactsRead, count);
    Interlocked.Add(ref artifactBytesRead, bytes);
});
var readableAt = DateTimeOffset.UtcNow;
var filesSettled = await filesWritten;
var usageAfter = DataDirectoryUsage.Of(server.DataDirectory);
var diagnosticsAfter = await client.DiagnosticsAsync();
var burst = await client.CompletionTimesAsync("burst-");
var lastCompletion = burst.Values.Max();
var burstSeconds = (lastCompletion - firstSubmit).TotalSeconds;
var burstLatencies = burst.Select(p => (p.Value - submitted[int.Parse(p.Key["burst-".Length..], CultureInfo.InvariantCulture)]).TotalMilliseconds).Order().ToList();
Report("burst_tasks", burst.Count);
Report("burst_submit_per_second", options.Tasks / submitSeconds);
Report("burst_end_to_end_tasks_per_second", burst.Count / burstSeconds);
Report("burst_latency_p50_ms", Percentiles.Of(burstLatencies, 0.50));
Report("burst_latency_p95_ms", Percentiles.Of(burstLatencies, 0.95));
Report("burst_latency_p99_ms", Percentiles.Of(burstLatencies, 0.99));
Report("burst_files_written_seconds_after_last_completion", Math.Max(0, (filesSettled - lastCompletion).TotalSeconds));

// The same burst counted until the outbox had nothing left to write as well.
Report("burst_with_files_tasks_per_second", burst.Count / Math.Max(burstSeconds, (filesSettled - firstSubmit).TotalSeconds));

// Artifacts are committed with the outcome that produced them, so burst_end_to_end_tasks_per_second already counts
// until every task is readable and durable. This figure adds reading it all back once (the result, the artifact list
// and each artifact, from when the client sees every task finished), and the run fails if any read is not a 200 of
// the listed length.
var readableSeconds = (readableAt - firstSubmit).TotalSeconds;
Report("burst_readable_tasks_per_second", burst.Count / readableSeconds);
Report("burst_readback_seconds", (readableAt - finishedSeen).TotalSeconds);
Report("burst_artifacts_read_per_task", (double)artifactsRead / options.Tasks);
Report("burst_artifact_bytes_read_per_task", (double)artifactBytesRead / options.Tasks);

// Per task, over the burst and its read-back: bytes the journal's commits appended to the SQLite log (pages, from
// SQLite's per-connection write counter), bytes and inodes added under the data directory (a walk of it before and
// after), and how the journal's threads spent their time (cumulative stopwatches in the server).
double Delta(string figure) =>
    double.Parse(diagnosticsAfter[figure], CultureInfo.InvariantCulture) - double.Parse(diagnosticsBefore[figure], CultureInfo.InvariantCulture);
Report("per_task_wal_bytes_appended", Delta("walBytesWritten") / options.Tasks);
Report("per_task_artifact_bytes_written", (double)(usageAfter.ArtifactBytes - usageBefore.ArtifactBytes) / options.Tasks);
Report("per_task_files_created", (double)(usageAfter.Files - usageBefore.Files) / options.Tasks);
Report("per_task_directories_created", (double)(usageAfter.Directories - usageBefore.Directories) / options.Tasks);
Report("wal_file_bytes_after_burst", usageAfter.WalFileBytes);
Report("burst_wal_checkpoints", Delta("walCheckpoints"));
Report("burst_wal_checkpoint_ms", Delta("walCheckpointMs"));
var burstCommits = Delta("commits");
Report("burst_commits", burstCommits);
Report("burst_operations_per_commit", Delta("operations") / Math.Max(1, burstCommits));
foreach (var (label, figure) in new[] { ("apply", "journalApplyMs"), ("write", "journalWriteMs"), ("fsync", "journalCommitMs"), ("effects", "journalEffectsMs") })
{
    var milliseconds = Delta(figure);
    Report($"burst_journal_{label}_ms", milliseconds);
    Report($"burst_journal_{label}_us_per_task", milliseconds * 1000 / options.Tasks);
    Report($"burst_journal_{label}_share_of_readable_time", milliseconds / 1000 / readableSeconds);
}

// Let the kernel write back the burst's dirty pages first, so the steady phase measures steady load
// rather than fsyncs queued behind the burst's writeback.
using (var sync = Process.Start("sync"))
{
    await sync!.WaitForExitAsync();
}

// Steady: a fixed arrival rate; submit to completion for each task.
var steadyCount = options.Rate * options.Seconds;
var steadySubmitted = new DateTimeOffset[steadyCount];
var interval = TimeSpan.FromSeconds(1.0 / options.Rate);
var steadyStart = Stopwatch.StartNew();
var sends = new List<Task>(steadyCount);
for (var i = 0; i < steadyCount; i++)
{
    var due = interval * i;
    var wait = due - steadyStart.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }

    var index = i;
    steadySubmitted[index] = DateTimeOffset.UtcNow;
    sends.Add(client.SubmitAsync($"steady-{index}"));
}

await Task.WhenAll(sends);
await client.WaitForFinishedAsync(warmed + options.Tasks + steadyCount, TimeSpan.FromMinutes(5));
var steady = await client.CompletionTimesAsync("steady-");
var steadyLatencies = steady.Select(p => (p.Value - steadySubmitted[int.Parse(p.Key["steady-".Length..], CultureInfo.InvariantCulture)]).TotalMilliseconds).Order().ToList();
Report("steady_rate_tasks_per_second", options.Rate);
Report("steady_tasks", steady.Count);
Report("steady_latency_p50_ms", Percentiles.Of(steadyLatencies, 0.50));
Report("steady_latency_p95_ms", Percentiles.Of(steadyLatencies, 0.95));
Report("steady_latency_p99_ms", Percentiles.Of(steadyLatencies, 0.99));

var diagnostics = await client.DiagnosticsAsync();
foreach (var figure in new[] { "commits", "operations", "journalApplyMs", "journalWriteMs", "journalCommitMs", "journalEffectsMs", "walCheckpointMs", "walBytesWritten" })
{
    Report("server_" + figure, double.Parse(diagnostics[figure], CultureInfo.InvariantCulture));
}

Report("server_peak_rss_mib", ProcessMemory.PeakRssMiB(server.ProcessId));
if (collector is not null)
{
    // What reached the collector by now (the SDK's batch exporter may still hold the last few seconds' spans).
    Report("otlp_spans_received", collector.Spans.Count);
    Report("otlp_metric_exports", collector.MetricExports);
}

// What this disk allows for small files (each task created about eight before its artifacts moved into the database;
// large artifacts and the mirror still are files). Measured last: the probe deletes its files, and ext4 allocates
// inodes more slowly right after deletions.
Report("disk_file_creates_per_second", FileCreationProbe.FilesPerSecond(5000));

// Memory under a burst of the largest results: a fresh server, so its peak is this burst's alone.
if (options.LargeCompletes > 0)
{
    await LargeCompletesBench.RunAsync(options.ServerDll, options.LargeCompletes, Report);
}

// The Functions engine on the real Durable runtime, on this machine (not Azure).
if (options.DurableTasks > 0)
{
    await DurableBench.RunAsync(options.DurableTasks, Math.Min(options.Concurrency, 32), Report);
}

return 0;

static void Report(string name, double value) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value:0.###}"));
