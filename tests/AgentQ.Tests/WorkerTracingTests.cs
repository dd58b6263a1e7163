using AgentFunctions.Core.Telemetry;
using AgentFunctions.Testing;
using AgentFunctions.Testing.Telemetry;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// End to end, with the real tool and a server that exports its traces to a collector on loopback: the program a
/// worker runs gets the attempt's span as TRACEPARENT (what OpenTelemetry SDKs read), and the worker's own span,
/// reported with its result, lands in the task's trace under that attempt.
/// </summary>
public sealed class WorkerTracingTests
{
    [Fact]
    public async Task The_program_sees_its_attempts_span_as_TRACEPARENT_and_the_workers_span_joins_the_trace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var scene = await EndToEnd.StartAsync(new StandaloneServerOptions
        {
            Settings = ServerSettings.Remote("review"),
            Environment = collector.ExporterSettings("agentq-worker-test"),
        });
        var seen = scene.Scratch.File("traceparent.txt");
        var script = scene.Script("review.sh", $"""
            printf '%s' "$TRACEPARENT" > '{seen}'
            sleep 1.5
            echo "reviewed"
            """);
        await scene.StartWorkerAsync("review", script, "--lease", "3");
        await scene.RunExpectingAsync(0, "submit", "Review PR 9", "--to", "review", "--id", "wt-1");
        var status = await scene.WaitForStatusAsync("wt-1", s => s.GetProperty("state").GetString() == "completed");
        var traceId = status.GetProperty("traceId").GetString();

        var program = TraceContext.TryParse(File.ReadAllText(seen));
        Assert.NotNull(program);
        Assert.Equal(traceId, program.TraceId);
        var spans = new SpanTree(await collector.WaitForSpansAsync(
            // Spans arrive in export batches: wait for every one the assertions name, not just the first.
            all => all.Any(s => s.Name == SpanNames.Attempt && s[TelemetryTags.TaskId] == "wt-1")
                && all.FirstOrDefault(s => s.Name == "agentq worker") is { } worker
                && SpanTree.HasUnder(all, SpanNames.Complete, worker.SpanId) && SpanTree.HasUnder(all, SpanNames.Heartbeat, worker.SpanId),
            TimeSpan.FromSeconds(30)));
        var attempt = spans.Single(SpanNames.Attempt, s => s[TelemetryTags.TaskId] == "wt-1");
        Assert.Equal((traceId, attempt.SpanId), (attempt.TraceId, program.SpanId));

        var worker = spans.Single("agentq worker");
        Assert.Equal((traceId, attempt.SpanId), (worker.TraceId, worker.ParentSpanId));
        Assert.True(worker.End - worker.Start >= TimeSpan.FromSeconds(1), "the worker's span should cover the program's run: " + worker);
        Assert.True(spans.Descends(spans.Single(SpanNames.Complete), worker.SpanId), "the complete call is not under the worker's span:\n" + spans);
        Assert.Contains(spans.Named(SpanNames.Heartbeat), h => spans.Descends(h, worker.SpanId));
    }
}
